// 网格: the admin gives 第一微网格 to another leader; the preview's counts are what the API
// reports once it is done, and the leader history shows both leaders.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser } from '../harness.mjs';
import { assertAccessible, desk, openPage, signInAndWait, shot } from './console.mjs';

after(closeBrowser);

test('the admin reassigns a micro-grid and the preview\'s counts equal what the API then reports', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const admin = await world.api();
  const microGrids = (await admin.get('/micro-grids')).items;
  const first = microGrids.find((m) => m.name === '第一微网格');
  const second = microGrids.find((m) => m.name === '第二微网格');
  const openBefore = [
    ...(await admin.get(`/issues?micro_grid_id=${first.id}&status=open`)).items,
    ...(await admin.get(`/issues?micro_grid_id=${first.id}&status=escalated`)).items,
  ];

  await signInAndWait(world);
  await openPage(page, '网格');
  await page.getByRole('button', { name: '第一微网格' }).click();
  await page.getByRole('heading', { name: '第一微网格', level: 2 }).waitFor();
  await page.getByRole('button', { name: '更换网格长' }).click();
  await page.getByLabel('网格长', { exact: true }).selectOption({ label: '李秀英（leader002）' });
  const preview = page.locator('#cl-preview');
  await preview.waitFor();
  const [, households, openIssues] = /将有 (\d+) 户、(\d+) 件未办结诉求转给李秀英/.exec(await preview.textContent());
  assert.equal(Number(households), first.households);
  assert.equal(Number(openIssues), openBefore.length);
  await assertAccessible(page, '网格: 更换网格长');
  await shot(world, 'console-grids.png');

  // Nothing changed before 确认.
  assert.equal((await admin.get(`/micro-grids/${first.id}`)).leader_id, first.leader_id);
  await page.getByRole('button', { name: '确认' }).click();
  await page.getByRole('status').filter({ hasText: '第一微网格的网格长已改为李秀英' }).waitFor();

  const after = await admin.get(`/micro-grids/${first.id}`);
  assert.equal(after.leader_id, second.leader_id, 'leader002 leads 第一微网格 now');
  const leader2 = await world.api({ username: 'leader002', password: 'leader-pass-2026' });
  const theirs = await leader2.get(`/households?micro_grid_id=${first.id}`);
  assert.equal(theirs.total, Number(households), 'the households the preview counted passed to leader002');
  const theirIssues = (await leader2.get(`/issues?micro_grid_id=${first.id}&status=open`)).total
    + (await leader2.get(`/issues?micro_grid_id=${first.id}&status=escalated`)).total;
  assert.equal(theirIssues, Number(openIssues), 'and the open issues the preview counted');

  // The history lists 李秀英 from today, 张建国 before.
  const history = await admin.get(`/micro-grids/${first.id}/leaders`);
  assert.equal(history.length, 2);
  const historyRows = page.locator('section[aria-labelledby="mg-h"] table tbody th');
  await historyRows.nth(1).waitFor();
  assert.deepEqual(await historyRows.allTextContents(), ['李秀英', '张建国']);
  assert.deepEqual(world.problems, []);
});
