// 住户: search, the dossier as the API returns it, editing, and moving selected households to
// another micro-grid after a preview.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser } from '../harness.mjs';
import { assertAccessible, desk, openPage, signInAndWait, shot } from './console.mjs';

after(closeBrowser);

test('the admin finds a household, edits its dossier and moves two households with a preview', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const admin = await world.api();
  await signInAndWait(world);
  await openPage(page, '住户');

  await page.getByLabel('搜索').fill('王建华');
  await page.getByRole('button', { name: '查找' }).click();
  await page.getByRole('button', { name: '王建华' }).click();
  await page.getByRole('heading', { name: '王建华', level: 2 }).waitFor();
  const household = await world.household('王建华');
  const dossier = await admin.get(`/households/${household.id}`);
  const facts = page.locator('section[aria-labelledby="dossier-h"] dl.facts');
  assert.match(await facts.textContent(), new RegExp(dossier.phone));
  assert.match(await facts.textContent(), /村口道路坑洼|东风村1组3号/);

  await page.getByRole('button', { name: '编辑' }).click();
  await page.getByLabel('人数').fill('5');
  await page.getByLabel('标签').fill('独居老人、低保户');
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('status').filter({ hasText: '已保存' }).waitFor();
  const edited = await admin.get(`/households/${household.id}`);
  assert.equal(edited.members, 5);
  assert.deepEqual([...edited.tags].sort(), ['低保户', '独居老人'].sort());
  assert.equal(edited.phone, dossier.phone, 'an unchanged phone is left alone');

  // Move 王建华 (with his open issue) and 李桂兰 to 第二微网格.
  await page.getByLabel('搜索').fill('');
  await page.getByRole('button', { name: '查找' }).click();
  await page.getByLabel('选择 王建华').check();
  await page.getByLabel('选择 李桂兰').check();
  await page.getByRole('button', { name: '调整网格' }).click();
  await page.getByLabel('目标微网格').selectOption({ label: '第二微网格' });
  const preview = page.locator('#mv-preview');
  await preview.waitFor();
  assert.match(await preview.textContent(), /2 户将转入第二微网格，由网格长李秀英负责，随之转交 1 件未办结诉求/);
  await assertAccessible(page, '住户: 调整网格');
  await shot(world, 'console-households.png');
  await page.getByRole('button', { name: '确认' }).click();
  await page.getByRole('status').filter({ hasText: '已将 2 户调整到第二微网格' }).waitFor();

  const second = (await admin.get('/micro-grids')).items.find((m) => m.name === '第二微网格');
  const moved = await world.query('SELECT name FROM households WHERE micro_grid_id = $1 ORDER BY name', [second.id]);
  assert.ok(['王建华', '李桂兰'].every((n) => moved.some((m) => m.name === n)), JSON.stringify(moved));
  const issues = await admin.get(`/issues?micro_grid_id=${second.id}&status=open`);
  assert.equal(issues.total, 1, 'the open issue went with the family');
  assert.deepEqual(world.problems, []);
});

test('a supervisor sees masked phone numbers and cannot edit or move', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const admin = await world.api();
  await admin.post('/users', { username: 'sup', display_name: '全镇督导', role: 'supervisor', password: 'supervisor-pass-2026' });
  await signInAndWait(world, { username: 'sup', password: 'supervisor-pass-2026' });
  await openPage(page, '住户');
  await page.getByRole('button', { name: '王建华' }).click();
  await page.getByRole('heading', { name: '王建华', level: 2 }).waitFor();
  const facts = await page.locator('section[aria-labelledby="dossier-h"] dl.facts').textContent();
  assert.match(facts, /138\*\*\*\*5678/);
  assert.doesNotMatch(facts, /13812345678/);
  assert.equal(await page.getByRole('button', { name: '编辑' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: '调整网格' }).count(), 0);
});
