// The township workflow at the console: the admin creates a department (部门) and a handler
// (人员), routes an issue to it (交办) with 3 working days; the handler sees only that issue,
// signs for it (签收), asks for more time (申请延期), which the admin grants (批准延期), and
// reports it done (办结); late, the admin finds it by 仅看超期 and verifies it (验收通过).
// Each step is checked in the database.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, TOWNSHIP } from '../harness.mjs';
import { assertAccessible, desk, eventually, navLinks, openPage, signInAndWait, shot } from './console.mjs';

after(closeBrowser);

const HANDLER = { username: 'jiaotong01', password: 'handler-pass-2026' };

/** The `n`-th Monday-to-Friday after `from` (YYYY-MM-DD); the seeded township has no exceptions. */
function workingDaysAfter(from, n) {
  const d = new Date(`${from}T00:00:00Z`);
  while (n > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) n--;
  }
  return d.toISOString().slice(0, 10);
}
const todayInShanghai = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

async function signOut(page) {
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('button', { name: '登录' }).waitFor();
}

test('an issue goes from the office to a department and back as done', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const admin = await world.api();
  const [issue] = (await admin.get('/issues?status=open')).items;
  // A second issue that stays with the township: the handler must not see it.
  const leader = await world.api(TOWNSHIP.leader);
  const other = await world.household('李桂兰');
  await leader.post('/issues', { household_id: other.id, category: 'welfare', description: '低保申请材料不清楚怎么准备。' });
  const row = async () => (await world.query(
    'SELECT status, due_on::text AS due_on, resolution, department_id FROM issues WHERE id = $1', [issue.id]))[0];

  // 部门: a new department.
  await signInAndWait(world);
  assert.deepEqual(await navLinks(page), ['概览', '网格', '住户', '人员', '诉求', '任务', '导入', '审计', '重点人群', '部门', '督办']);
  await openPage(page, '部门');
  await page.getByLabel('部门名称').fill('交通办');
  await page.getByRole('button', { name: '新建部门' }).click();
  await page.getByRole('status').filter({ hasText: '已新建部门 交通办' }).waitFor();
  await page.getByRole('table', { name: '部门列表' }).getByText('交通办').waitFor();
  const [department] = await world.query("SELECT id, name FROM departments WHERE name = '交通办'");
  assert.ok(department, 'the department is stored');
  await assertAccessible(page, '部门');
  await shot(world, 'console-departments.png');

  // 人员: a handler of that department.
  await openPage(page, '人员');
  const form = page.locator('form[aria-labelledby="np-h"]');
  await form.getByLabel('用户名').fill(HANDLER.username);
  await form.getByLabel('姓名').fill('钱路通');
  await form.getByLabel('角色').selectOption('handler');
  await form.getByLabel('所属部门').selectOption({ label: '交通办' });
  await form.getByLabel('密码').fill(HANDLER.password);
  await assertAccessible(page, '人员 with a handler');
  await form.getByRole('button', { name: '创建' }).click();
  await page.getByRole('status').filter({ hasText: '已创建 钱路通' }).waitFor();
  const [user] = await world.query('SELECT role::text AS role, department_id FROM users WHERE username = $1', [HANDLER.username]);
  assert.equal(user.role, 'handler');
  assert.equal(user.department_id, department.id);

  // 诉求: route the issue with 3 working days.
  await openPage(page, '诉求');
  await page.getByRole('button', { name: issue.description }).click();
  await page.getByLabel('承办部门').selectOption({ label: '交通办' });
  await page.getByLabel('办理时限（工作日）').fill('3');
  await assertAccessible(page, '诉求: 交办');
  await page.getByRole('button', { name: '确认交办' }).click();
  assert.ok(await eventually(async () => (await row()).status === 'assigned'), 'assigned');
  const assigned = await row();
  assert.equal(assigned.department_id, department.id);
  assert.equal(assigned.due_on, workingDaysAfter(todayInShanghai(), 3));
  await page.getByRole('heading', { name: '道路：已分派' }).waitFor();

  // The handler at the console: only the routed issue; 签收, then 申请延期.
  await signOut(page);
  await signInAndWait(world, HANDLER);
  assert.deepEqual(await navLinks(page), ['诉求']);
  const rows = page.locator('main tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  await page.getByRole('button', { name: issue.description }).click();
  await page.getByRole('button', { name: '签收' }).click();
  assert.ok(await eventually(async () => (await row()).status === 'accepted'), 'accepted');
  await page.getByLabel('延期天数').fill('2');
  await page.getByLabel('延期理由').fill('需等待沥青到货');
  await assertAccessible(page, '诉求: the handler');
  await shot(world, 'console-workflow.png');
  await page.getByRole('button', { name: '提交申请' }).click();
  assert.ok(await eventually(async () => (await admin.get(`/issues/${issue.id}`)).extension_requested === true), 'extension requested');

  // The admin grants it: due_on moves by 2 working days.
  await signOut(page);
  await signInAndWait(world);
  await openPage(page, '诉求');
  await page.getByRole('button', { name: issue.description }).click();
  await page.getByRole('button', { name: '批准延期' }).click();
  const moved = workingDaysAfter(assigned.due_on, 2);
  assert.ok(await eventually(async () => (await row()).due_on === moved), `due_on moved to ${moved}`);
  assert.equal((await admin.get(`/issues/${issue.id}`)).extension_requested, false);

  // The handler reports it done.
  await signOut(page);
  await signInAndWait(world, HANDLER);
  await page.getByRole('button', { name: issue.description }).click();
  await page.getByLabel('办理结果').fill('已修补路面并疏通排水沟');
  await page.getByRole('button', { name: '确认', exact: true }).click();
  assert.ok(await eventually(async () => (await row()).status === 'done'), 'done');
  const done = await row();
  assert.equal(done.resolution, '已修补路面并疏通排水沟');
  const events = await world.query('SELECT action FROM issue_events WHERE issue_id = $1 ORDER BY at, id', [issue.id]);
  assert.deepEqual(events.map((e) => e.action), ['raise', 'assign', 'accept', 'extend', 'extension', 'done']);

  // Late (its limit set in the past): 仅看超期 lists it, marked 已超期 in words; the admin
  // verifies it (验收通过) and it is resolved with the department's resolution.
  await world.query("UPDATE issues SET due_on = DATE '2026-01-05' WHERE id = $1", [issue.id]);
  await signOut(page);
  await signInAndWait(world);
  await openPage(page, '诉求');
  await page.getByLabel('仅看超期').check();
  // The unfiltered list shows it too: wait for the filtered one (the other issue gone).
  assert.ok(await eventually(async () => (await page.locator('main tbody tr').count()) === 1), 'only the late issue');
  await page.locator('main tbody tr').filter({ hasText: '2026-01-05（已超期）' }).waitFor();
  await page.getByRole('button', { name: issue.description }).click();
  await page.getByLabel('验收意见').fill('路面已平整');
  await page.getByRole('button', { name: '验收通过' }).click();
  assert.ok(await eventually(async () => (await row()).status === 'resolved'), 'resolved');
  assert.equal((await row()).resolution, '已修补路面并疏通排水沟');
  assert.deepEqual(world.problems, []);
});
