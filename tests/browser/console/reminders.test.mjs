// What waits, at the top of 诉求: a department's handler finds what was routed to them and not
// yet signed for (新交办), what is late (已超期) and due today (今天到期); the admin finds the
// requests for more time (延期申请待批). Each count is the API's, and shows those issues.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Api, closeBrowser, TOWNSHIP } from '../harness.mjs';
import { assertAccessible, desk, eventually, openPage, signInAndWait } from './console.mjs';

after(closeBrowser);

const HANDLER = { username: 'minzheng01', password: 'handler-pass-2026' };

test('新交办, 已超期 and 延期申请待批 count what waits and show it', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const admin = await world.api();
  const department = await admin.post('/departments', { name: '民政办' });
  await admin.post('/users', {
    username: HANDLER.username, display_name: '民政办张干事', role: 'handler',
    department_id: department.id, password: HANDLER.password,
  });
  const leader = await world.api(TOWNSHIP.leader);
  const household = await world.household('李桂兰');
  const routed = [];
  for (const description of ['低保申请材料不清楚怎么准备。', '残疾人补贴还没到账。']) {
    const issue = await leader.post('/issues', { household_id: household.id, category: 'welfare', description });
    await admin.post(`/issues/${issue.id}/assign`, { department_id: department.id, due_days: 5 });
    routed.push(issue);
  }
  // One of them signed for, asked more time for, and late.
  const handler = new Api(world.base);
  await handler.login(TOWNSHIP.code, HANDLER);
  await handler.post(`/issues/${routed[1].id}/accept`, {});
  await handler.post(`/issues/${routed[1].id}/extend`, { days: 2, reason: '等银行回单' });
  await world.query("UPDATE issues SET due_on = current_date - 3 WHERE id = $1", [routed[1].id]);

  await signInAndWait(world, HANDLER);
  await page.getByRole('heading', { level: 1, name: '诉求' }).waitFor();
  const reminders = page.getByRole('navigation', { name: '待办提醒' });
  const waiting = (await handler.get('/issues?status=assigned')).total;
  const late = (await handler.get('/issues?overdue=true')).total;
  assert.deepEqual([waiting, late], [1, 1]);
  // The list shows both at first; each reminder leaves only its own.
  const shown = async (text) => page.getByRole('button', { name: text }).count();
  await page.getByRole('button', { name: '残疾人补贴还没到账。' }).waitFor();
  await reminders.getByRole('button', { name: `新交办（${waiting}）` }).click();
  assert.ok(await eventually(async () => (await shown('残疾人补贴还没到账。')) === 0), 'only the new one');
  assert.equal(await shown('低保申请材料不清楚怎么准备。'), 1);
  assert.equal(await page.getByLabel('状态').inputValue(), 'assigned');
  await reminders.getByRole('button', { name: `已超期（${late}）` }).click();
  assert.ok(await eventually(async () => (await shown('低保申请材料不清楚怎么准备。')) === 0), 'only the late one');
  assert.equal(await shown('残疾人补贴还没到账。'), 1);
  assert.equal(await page.getByRole('checkbox', { name: '仅看超期' }).isChecked(), true);
  await assertAccessible(page, 'reminders (handler)');

  await page.getByRole('button', { name: '退出登录' }).click();
  await signInAndWait(world);
  await openPage(page, '诉求');
  const asked = (await admin.get('/issues?extension_requested=true')).total;
  assert.equal(asked, 1);
  await page.getByRole('button', { name: '低保申请材料不清楚怎么准备。' }).waitFor();
  await page.getByRole('navigation', { name: '待办提醒' })
    .getByRole('button', { name: `延期申请待批（${asked}）` }).click();
  assert.ok(await eventually(async () => (await shown('低保申请材料不清楚怎么准备。')) === 0), 'only the one asking');
  assert.equal(await shown('残疾人补贴还没到账。'), 1);
  assert.equal(await page.getByRole('checkbox', { name: '仅看延期申请' }).isChecked(), true);
});
