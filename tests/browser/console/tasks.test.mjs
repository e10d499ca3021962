// 任务: the admin sends a task down for one grid's households of one priority group; the server
// stores exactly that scope and counts the households the API lists for it; visits linked to
// the task move the progress by micro-grid on the task's page; 关闭任务 closes it on the
// server. A task that would cover nobody is refused with the server's words and nothing stored.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, TOWNSHIP } from '../harness.mjs';
import { assertAccessible, desk, eventually, openPage, secondGridAndSupervisor, signInAndWait, shot } from './console.mjs';

after(closeBrowser);

const inShanghai = (days = 0) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' })
  .format(new Date(Date.now() + days * 86_400_000));

/** "12/40（30%）" as the console writes it (rounded down). */
const progress = (done, all) => `${done}/${all}（${all ? `${Math.floor((done * 100) / all)}%` : '—'}）`;

/** 独居老人: two families of 第一微网格, one of 第二微网格 (all 东风村) and 西湖村's one; 张德明 is 低保户. */
async function priorityGroups(world) {
  const { admin, dongfeng, xihu } = await secondGridAndSupervisor(world);
  for (const [name, tags] of [['王建华', ['独居老人']], ['李桂兰', ['独居老人', '空巢老人']], ['钱永福', ['独居老人']],
    ['西湖住户', ['独居老人']], ['张德明', ['低保户']]]) {
    const household = await world.household(name);
    await admin.call('PATCH', `/households/${household.id}`, { tags });
  }
  return { admin, dongfeng, xihu };
}

test('下发任务 stores its scope, follows the linked visits by micro-grid, and 关闭任务 closes it', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const { admin, dongfeng } = await priorityGroups(world);
  // An earlier weekly task for the whole township, so the list is not empty.
  const weekly = await admin.post('/tasks', {
    title: '独居老人每周电话问候', description: '每周打一次电话，问问身体和用电用气。',
    due_on: inShanghai(6), tags: ['独居老人'], repeat: 'weekly',
  });

  await signInAndWait(world);
  await openPage(page, '任务');
  const list = page.getByRole('table', { name: '任务列表' });
  const weeklyRow = list.getByRole('row').filter({ hasText: weekly.title });
  await weeklyRow.waitFor();
  assert.deepEqual(await weeklyRow.locator('td').allInnerTexts(),
    [weekly.due_on, '每周', progress(weekly.done, weekly.households), '进行中']);

  // 下发任务: 东风村, 独居老人, in a week.
  const title = '冬季独居老人安全走访';
  const due = inShanghai(7);
  await page.getByRole('button', { name: '下发任务' }).click();
  const form = page.getByRole('form', { name: '下发任务' });
  await form.getByLabel('任务名称').fill(title);
  await form.getByLabel('任务内容').fill('上门查看取暖设施和燃气管线，提醒不要用炭火取暖。');
  await form.getByLabel('截止日期').fill(due);
  assert.equal(await form.getByLabel('重复').inputValue(), '', '不重复 by default');
  await form.getByRole('group', { name: '范围' }).getByLabel('东风村', { exact: true }).check();
  await form.getByRole('group', { name: '重点人群' }).getByLabel('独居老人').check();
  await assertAccessible(page, '下发任务');
  await shot(world, 'console-tasks.png');
  await form.getByRole('button', { name: '下发', exact: true }).click();
  await page.getByRole('status').filter({ hasText: `已下发任务“${title}”` }).waitFor();

  // What the server stored, and the households the API lists for that scope.
  const stored = (await admin.get('/tasks')).items.find((x) => x.title === title);
  assert.ok(stored, 'the task is stored');
  assert.deepEqual(stored.grid_ids, [dongfeng.id]);
  assert.deepEqual(stored.micro_grid_ids, []);
  assert.deepEqual(stored.tags, ['独居老人']);
  assert.equal(stored.repeat, null);
  assert.equal(stored.due_on, due);
  assert.equal(stored.closed, false);
  const inGrid = (await admin.get(`/households?grid_id=${dongfeng.id}&per_page=200`)).items;
  const covered = inGrid.filter((h) => h.tags.includes('独居老人'));
  assert.equal(stored.households, covered.length);
  assert.equal(stored.households, 3, '王建华, 李桂兰, 钱永福 (not 西湖村, not 张德明)');
  assert.ok(await page.getByRole('status').filter({ hasText: `共 ${stored.households} 户` }).isVisible());
  const row = list.getByRole('row').filter({ hasText: title });
  await row.waitFor();
  assert.deepEqual(await row.locator('td').allInnerTexts(), [due, '不重复', progress(0, 3), '进行中']);

  // The task's page.
  await row.getByRole('link', { name: title }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  const table = page.getByRole('table', { name: '各网格进度' });
  await table.waitFor();

  // Two families visited with the task: one of 第一微网格 (leader001), one of 第二微网格 (leader002).
  const visit = async (who, name) => {
    const api = await world.api(who);
    const household = await world.household(name);
    return api.post('/visits', {
      household_id: household.id, visited_at: new Date().toISOString(), method: 'door',
      summary: '查看了取暖设施，燃气管线正常。', task_id: stored.id,
    });
  };
  assert.equal((await visit(TOWNSHIP.leader, '王建华')).task_id, stored.id);
  await visit(TOWNSHIP.leader2, '钱永福');

  await page.reload();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await page.locator('section.task[aria-busy="false"]').waitFor();
  const detail = await admin.get(`/tasks/${stored.id}`);
  assert.equal(detail.done, 2);
  const rate = (done, all) => `${Math.floor((done * 100) / all)}%`;
  // Rows as the server orders them (grid, micro-grid name), each grid closed by its subtotal.
  const expected = detail.progress.map((p) => [p.grid_name, p.micro_grid_name, p.leader_name || '未指定',
    String(p.households), String(p.done), rate(p.done, p.households)].join('\t'));
  expected.push(['东风村', '小计', '', '3', '2', rate(2, 3)].join('\t'));
  const rows = await eventually(async () => {
    const texts = await table.locator('tbody tr').allInnerTexts();
    return texts.length === expected.length && texts;
  });
  assert.deepEqual(rows, expected);
  assert.deepEqual(detail.progress.map((p) => [p.micro_grid_name, p.households, p.done]),
    [['第一微网格', 2, 1], ['第二微网格', 1, 1]]);
  // 各网格长进度: the same rows summed per leader, by name.
  const leaders = new Map();
  for (const p of detail.progress) {
    const l = leaders.get(p.leader_name) || { grids: 0, households: 0, done: 0 };
    leaders.set(p.leader_name, { grids: l.grids + 1, households: l.households + p.households, done: l.done + p.done });
  }
  const byLeader = [...leaders.entries()].sort((a, b) => a[0].localeCompare(b[0], 'zh-CN'))
    .map(([name, l]) => [name, String(l.grids), String(l.households), String(l.done), rate(l.done, l.households)].join('\t'));
  assert.deepEqual(await page.getByRole('table', { name: '各网格长进度' }).locator('tbody tr').allInnerTexts(), byLeader);
  // 未完成住户: the API's list for done=false, which is 李桂兰 alone.
  const pending = (await admin.get(`/tasks/${stored.id}/households?done=false`)).items.map((h) => h.name);
  assert.deepEqual(pending, ['李桂兰']);
  // Read by the page on its own, after the task: wait for its rows.
  const pendingTable = page.getByRole('table', { name: '未完成住户' });
  await pendingTable.waitFor();
  assert.deepEqual(await pendingTable.locator('tbody th').allTextContents(), pending);
  await assertAccessible(page, 'a task');
  await shot(world, 'console-tasks-detail.png');

  // 关闭任务, confirmed.
  await page.getByRole('button', { name: '关闭任务' }).click();
  await page.getByRole('group', { name: '关闭任务' }).getByRole('button', { name: '确认' }).click();
  await page.getByRole('status').filter({ hasText: '已关闭' }).waitFor();
  assert.equal((await admin.get(`/tasks/${stored.id}`)).closed, true);
  // The page reads the task again after closing it: then 关闭任务 is gone.
  assert.ok(await eventually(async () => (await page.getByRole('button', { name: '关闭任务' }).count()) === 0),
    'no 关闭任务 on a closed task');
  const audit = await admin.get('/audit?action=task.close');
  assert.equal(audit.items.length, 1);

  // Back in the list it says 已关闭, and 已关闭 lists it alone.
  await page.getByRole('link', { name: '返回任务列表' }).click();
  await page.getByRole('heading', { level: 1, name: '任务' }).waitFor();
  await list.getByRole('row').filter({ hasText: title }).getByText('已关闭').waitFor();
  await page.getByLabel('状态').selectOption({ label: '已关闭' });
  await eventually(async () => (await list.locator('tbody tr').count()) === 1);
  assert.deepEqual(await list.locator('tbody th').allTextContents(), [title]);
});

test('a task that would cover no household is refused beside its field, and nothing is stored', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const { admin, dongfeng } = await priorityGroups(world);
  const due = inShanghai(3);
  // No household of 东风村 is 留守儿童: the API's own answer to this body.
  const body = { title: '留守儿童暑期安全', description: '提醒防溺水。', due_on: due, grid_ids: [dongfeng.id], tags: ['留守儿童'] };
  const refusal = await admin.post('/tasks', body).then(() => null, (e) => e);
  assert.equal(refusal?.status, 422, 'the API refuses it');
  const { message, fields = {} } = refusal.body.error;

  await signInAndWait(world);
  await openPage(page, '任务');
  await page.getByText('暂无任务').waitFor();
  await page.getByRole('button', { name: '下发任务' }).click();
  const form = page.getByRole('form', { name: '下发任务' });
  await form.getByLabel('任务名称').fill(body.title);
  await form.getByLabel('任务内容').fill(body.description);
  await form.getByLabel('截止日期').fill(due);
  await form.getByRole('group', { name: '范围' }).getByLabel('东风村', { exact: true }).check();
  await form.getByRole('group', { name: '重点人群' }).getByLabel('留守儿童').check();
  await form.getByRole('button', { name: '下发', exact: true }).click();
  const alert = form.getByRole('alert');
  await alert.waitFor();
  assert.ok((await alert.textContent()).includes(message), `the server's message: ${message}`);
  for (const problems of Object.values(fields)) {
    for (const problem of [].concat(problems)) assert.ok(await form.getByText(problem).first().isVisible(), problem);
  }
  await assertAccessible(page, '下发任务 refused');
  assert.equal((await admin.get('/tasks')).total, 0, 'nothing stored');
  assert.equal(await page.getByRole('form', { name: '下发任务' }).getByLabel('任务名称').inputValue(), body.title,
    'what was typed stays to be corrected');
});

test('下发任务 to one micro-grid of a grid stores that micro-grid and covers its households', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const { admin, dongfeng } = await priorityGroups(world);
  const microGrids = (await admin.get(`/micro-grids?grid_id=${dongfeng.id}&per_page=200`)).items;
  const second = microGrids.find((m) => m.name === '第二微网格');
  const inIt = (await admin.get(`/households?micro_grid_id=${second.id}&per_page=200`)).items;

  await signInAndWait(world);
  await openPage(page, '任务');
  await page.getByRole('button', { name: '下发任务' }).click();
  const form = page.getByRole('form', { name: '下发任务' });
  await form.getByLabel('任务名称').fill('防汛物资入户登记');
  await form.getByLabel('截止日期').fill(inShanghai(5));
  const scope = form.getByRole('group', { name: '范围' });
  await scope.getByText('只选其中的微网格').first().click();
  await scope.getByRole('checkbox', { name: '东风村 第二微网格' }).check();
  await scope.getByText('只选其中的微网格（已选 1 个）').waitFor();
  await assertAccessible(page, '下发任务 to a micro-grid');
  await form.getByRole('button', { name: '下发', exact: true }).click();
  await page.getByRole('status').filter({ hasText: '已下发任务“防汛物资入户登记”' }).waitFor();

  const stored = (await admin.get('/tasks')).items.find((x) => x.title === '防汛物资入户登记');
  assert.deepEqual(stored.grid_ids, []);
  assert.deepEqual(stored.micro_grid_ids, [second.id]);
  assert.equal(stored.households, inIt.length, 'every household of 第二微网格 and no other');
  const households = (await admin.get(`/tasks/${stored.id}/households?per_page=200`)).items;
  assert.deepEqual(households.map((h) => h.household_id).sort(), inIt.map((h) => h.id).sort());
});
