// 人员: the admin creates a leader, resets their password, changes the role, deactivates them;
// each step is what the server then holds.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, Api, TOWNSHIP } from '../harness.mjs';
import { readFile } from 'node:fs/promises';
import { assertAccessible, desk, openPage, signInAndWait, shot, xlsxRows } from './console.mjs';

after(closeBrowser);

test('the admin creates, resets, re-roles and deactivates a person', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const admin = await world.api();
  await signInAndWait(world);
  await openPage(page, '人员');

  const form = page.locator('form[aria-labelledby="np-h"]');
  await form.getByLabel('用户名').fill('leader003');
  await form.getByLabel('姓名').fill('周海燕');
  await form.getByLabel('角色').selectOption('leader');
  await form.getByLabel('密码').fill('first-pass-2026');
  await form.getByLabel('电话').fill('13912340003');
  await form.getByRole('button', { name: '创建' }).click();
  await page.getByRole('status').filter({ hasText: '已创建 周海燕' }).waitFor();
  const [created] = (await admin.get('/users?q=leader003')).items;
  assert.equal(created.display_name, '周海燕');
  assert.equal(created.role, 'leader');
  assert.equal(created.phone, '13912340003');

  await page.getByRole('button', { name: '周海燕' }).click();
  await page.getByLabel('新密码').fill('second-pass-2026');
  await page.getByRole('button', { name: '重置密码' }).click();
  await page.getByRole('status').filter({ hasText: '已为 周海燕 设置新密码' }).waitFor();
  await new Api(world.base).login(TOWNSHIP.code, { username: 'leader003', password: 'second-pass-2026' });
  await assertAccessible(page, '人员');
  await shot(world, 'console-staff.png');

  await page.getByRole('button', { name: '停用' }).click();
  await page.getByRole('status').filter({ hasText: '已停用 周海燕' }).waitFor();
  assert.equal((await admin.get(`/users/${created.id}`)).active, false);
  await assert.rejects(new Api(world.base).login(TOWNSHIP.code, { username: 'leader003', password: 'second-pass-2026' }),
    (e) => e.status === 401);
  assert.deepEqual(world.problems, []);
});

test('the admin changes a leader into a supervisor of one grid', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const admin = await world.api();
  const user = await admin.post('/users', { username: 'leader009', display_name: '郑一鸣', role: 'leader', password: 'leader-pass-2026' });
  await signInAndWait(world);
  await openPage(page, '人员');
  await page.getByRole('button', { name: '郑一鸣' }).click();
  const person = page.locator('section[aria-labelledby="ps-h"]');
  await person.getByLabel('角色').selectOption('supervisor');
  await person.getByLabel('负责网格').selectOption({ label: '东风村' });
  await person.getByRole('button', { name: '更改角色' }).click();
  await page.getByRole('status').filter({ hasText: '郑一鸣 的角色已改为' }).waitFor();
  const after = await admin.get(`/users/${user.id}`);
  assert.equal(after.role, 'supervisor');
  assert.ok(after.grid_id);
});

test('下载民情日志 saves the leader\'s month as the API makes it, its figures the stored visits', async (t) => {
  const world = await desk(t);
  const { page } = world;
  await signInAndWait(world);
  await openPage(page, '人员');
  await page.getByRole('button', { name: '张建国' }).click();
  const month = await page.getByLabel('月份').inputValue();
  assert.match(month, /^\d{4}-\d{2}$/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '下载民情日志' }).click(),
  ]);
  assert.match(download.suggestedFilename(), new RegExp(`-statement-${month}-[0-9a-f-]{36}\\.xlsx$`));
  const rows = xlsxRows(await readFile(await download.path()));
  assert.match(rows[0][0], /^民情日志 · 张建国 · /);
  assert.deepEqual(rows[1], ['日期', '走访户数', '走访人次', '反映诉求', '当场解决', '交办部门']);
  const total = rows.at(-1);
  const [stored] = await world.query(
    `SELECT count(*)::int AS visits, count(DISTINCT v.household_id)::int AS households
     FROM visits v JOIN users u ON u.id = v.leader_id
     WHERE u.username = $1 AND to_char(v.visited_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = $2`,
    [TOWNSHIP.leader.username, month],
  );
  assert.deepEqual(total.slice(0, 3), ['合计', stored.households, stored.visits]);
  const [audit] = await world.query("SELECT count(*)::int AS n FROM audit_log WHERE action = 'stats.export' AND entity = 'user'");
  assert.equal(audit.n, 1, 'the download is in the audit log');
  await assertAccessible(page, '人员（民情日志）');
});
