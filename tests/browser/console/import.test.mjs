// 导入: a roster with two bad rows shows both rows and stores nothing; the fixed roster stores
// every household; a CSV saved as GBK (Excel on a Chinese Windows) keeps its Chinese.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeBrowser } from '../harness.mjs';
import { assertAccessible, desk, openPage, signInAndWait, shot } from './console.mjs';

after(closeBrowser);

const fixture = (name) => path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', name);
const countHouseholds = async (world) => Number((await world.query('SELECT count(*) AS n FROM households'))[0].n);

async function upload(page, file) {
  await page.getByLabel('选择文件').setInputFiles(fixture(file));
  await page.getByRole('button', { name: '上传' }).click();
}

test('a roster with two bad rows shows both and stores nothing; the fixed roster stores all', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const before = await countHouseholds(world);
  await signInAndWait(world);
  await openPage(page, '导入');

  await upload(page, 'roster-two-bad-rows.csv');
  const table = page.getByRole('table', { name: '需要修改的行' });
  await table.waitFor();
  assert.deepEqual(await table.locator('thead th').allTextContents(), ['行', '问题']);
  assert.deepEqual(await table.locator('tbody th').allTextContents(), ['3', '5']);
  const problems = await table.locator('tbody td').allTextContents();
  assert.match(problems[0], /第九微网格/);
  assert.match(problems[1], /工厂/);
  assert.equal(await countHouseholds(world), before, 'nothing stored');
  await assertAccessible(page, '导入: refused');
  await shot(world, 'console-import.png');

  await upload(page, 'roster.csv');
  await page.getByRole('status').filter({ hasText: '导入成功：新建 4 户' }).waitFor();
  assert.equal(await table.count(), 0, 'the bad rows are gone');
  assert.equal(await countHouseholds(world), before + 4);
  const stored = await world.query("SELECT name, address, tags FROM households WHERE address LIKE '东风村6组%' ORDER BY address");
  assert.deepEqual(stored.map((h) => h.name), ['钱淑贞', '褚国栋', '卫晓燕']);
  assert.deepEqual(stored[2].tags.sort(), ['低保户', '残疾人'].sort());
  assert.deepEqual(world.problems.filter((p) => !p.includes('422')), []);
});

test('a GBK CSV imports with its Chinese intact', async (t) => {
  const world = await desk(t);
  const { page } = world;
  await signInAndWait(world);
  await openPage(page, '导入');
  await upload(page, 'roster-gbk.csv');
  await page.getByRole('status').filter({ hasText: '导入成功：新建 2 户' }).waitFor();
  const stored = await world.query(
    "SELECT h.name, h.address, h.tags, m.name AS micro_grid FROM households h JOIN micro_grids m ON m.id = h.micro_grid_id WHERE h.address LIKE '东风村7组%' ORDER BY h.address");
  assert.deepEqual(stored.map((h) => [h.name, h.address, h.micro_grid]), [
    ['欧阳淑娴', '东风村7组1号', '第二微网格'],
    ['诸葛建国', '东风村7组2号', '第一微网格'],
  ]);
  assert.deepEqual(stored[0].tags, ['留守儿童']);
});
