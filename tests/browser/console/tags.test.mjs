// 重点人群: the admin gives a priority group its own visit interval and gives a free tag one;
// the server stores them and its due list follows; clearing the field takes one back.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser } from '../harness.mjs';
import { assertAccessible, desk, eventually, openPage, signInAndWait, shot } from './console.mjs';

after(closeBrowser);

test('重点人群: intervals set on the page are stored and move the due list', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const admin = await world.api();
  const household = await world.household('李桂兰'); // visited 2 days ago: not due in a week
  await admin.call('PATCH', `/households/${household.id}`, { tags: ['独居老人'] });
  const due = async () => (await admin.get('/households?due=true&per_page=200')).items.map((h) => h.name);
  assert.ok(!(await due()).includes('李桂兰'));

  await signInAndWait(world);
  await openPage(page, '重点人群');
  const rows = page.locator('main tbody th[scope="row"]');
  await eventually(async () => (await rows.count()) >= 8);
  assert.deepEqual((await rows.allTextContents()).slice(0, 8),
    ['独居老人', '空巢老人', '残疾人', '低保户', '特困人员', '留守儿童', '重病患者', '退役军人']);
  await page.getByLabel('独居老人的走访周期（天）').fill('2');
  await page.getByRole('button', { name: '保存独居老人的走访周期' }).click();
  await page.getByRole('status').filter({ hasText: '独居老人每 2 天走访一次' }).waitFor();
  const stored = async () => (await world.query('SELECT tag, visit_interval_days FROM tag_intervals ORDER BY tag'))
    .map((r) => [r.tag, r.visit_interval_days]);
  assert.deepEqual(await stored(), [['独居老人', 2]]);
  assert.ok((await due()).includes('李桂兰'), 'the due list follows the shorter interval');

  await page.getByLabel('标签', { exact: true }).fill('党员');
  await page.getByLabel('走访周期（天）', { exact: true }).fill('14');
  await page.getByRole('button', { name: '设置' }).click();
  await page.getByLabel('党员的走访周期（天）').waitFor();
  assert.deepEqual(await stored(), [['党员', 14], ['独居老人', 2]]);
  await assertAccessible(page, '重点人群');
  await shot(world, 'console-tags.png');

  await page.getByLabel('独居老人的走访周期（天）').fill('');
  await page.getByRole('button', { name: '保存独居老人的走访周期' }).click();
  await page.getByRole('status').filter({ hasText: '独居老人按本乡镇周期走访' }).waitFor();
  assert.deepEqual(await stored(), [['党员', 14]]);
  assert.ok(!(await due()).includes('李桂兰'));
});
