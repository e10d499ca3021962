// 诉求: filters by status and category; the admin escalates, resolves and records feedback,
// and the server holds each step.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser } from '../harness.mjs';
import { assertAccessible, desk, eventually, openPage, signInAndWait, shot } from './console.mjs';

after(closeBrowser);

test('the admin filters issues and takes one through escalate, resolve and feedback', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const admin = await world.api();
  const [issue] = (await admin.get('/issues?status=open')).items;
  await signInAndWait(world);
  await openPage(page, '诉求');

  const rows = page.locator('main tbody tr');
  await page.getByLabel('类别').selectOption('housing');
  await page.getByText('没有符合条件的诉求。').waitFor();
  await page.getByLabel('类别').selectOption('road');
  await page.getByLabel('状态').selectOption('open');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);

  await page.getByRole('button', { name: issue.description }).click();
  await page.getByRole('heading', { name: /道路：/ }).waitFor();
  await page.getByLabel('说明').fill('需交通部门协调');
  await assertAccessible(page, '诉求');
  await shot(world, 'console-issues.png');
  await page.getByRole('button', { name: '上报' }).click();
  const status = async (want) => (await admin.get(`/issues/${issue.id}`)).status === want;
  assert.ok(await eventually(() => status('escalated')), 'escalated');

  await page.getByLabel('办理结果').fill('已修补路面');
  await page.getByRole('button', { name: '办结' }).click();
  assert.ok(await eventually(() => status('resolved')), 'resolved');
  await page.getByRole('button', { name: '满意度回访' }).click();
  await page.getByRole('button', { name: '满意', exact: true }).click();
  assert.ok(await eventually(async () => (await admin.get(`/issues/${issue.id}`)).satisfied === true), 'feedback stored');
  const stored = await admin.get(`/issues/${issue.id}`);
  assert.equal(stored.status, 'resolved');
  assert.equal(stored.resolution, '已修补路面');
  assert.equal(stored.satisfied, true);
  assert.deepEqual(stored.events.map((e) => e.action), ['raise', 'escalate', 'resolve', 'feedback']);
});
