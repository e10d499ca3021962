// 审计: the admin filters the audit log by who and what; the rows are the API's.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser } from '../harness.mjs';
import { assertAccessible, desk, openPage, signInAndWait, shot } from './console.mjs';

after(closeBrowser);

test('the audit log filtered by 操作人 and 操作 lists what the API lists', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const admin = await world.api();
  await signInAndWait(world);
  await openPage(page, '审计');
  const me = await admin.get('/me');
  await page.getByLabel('操作人', { exact: true }).selectOption(me.id);
  await page.getByLabel('操作', { exact: true }).selectOption('household.create');
  const rows = page.locator('main tbody tr');
  const expected = await admin.get(`/audit?actor_id=${me.id}&action=household.create&per_page=50`);
  await page.waitForFunction((n) => document.querySelectorAll('main tbody tr').length === n, Math.min(50, expected.total));
  assert.ok(expected.total > 0);
  assert.deepEqual([...new Set(await rows.locator('td:nth-child(3)').allTextContents())], ['新建住户']);
  await assertAccessible(page, '审计');
  await shot(world, 'console-audit.png');
});
