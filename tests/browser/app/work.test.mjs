// The leader's daily work online: search, the dossier's issue actions, the group-chat round.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeBrowser, setup } from '../harness.mjs';
import { eventually, signIn, storedVisits, waitForStatus } from './steps.mjs';

after(closeBrowser);

test('search filters the due list by name or address; 全部住户 lists every household', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await signIn(page, world.base);
  const dueNames = await page.locator('.households .name').allTextContents();
  // Due: never visited or visited 7 days ago or more (as the server counts).
  const admin = await world.api();
  const serverDue = await admin.get('/households?due=true&per_page=200');
  const mine = (await world.query(
    "SELECT h.name FROM households h JOIN micro_grids m ON m.id = h.micro_grid_id WHERE m.name = '第一微网格'",
  )).map((r) => r.name);
  assert.deepEqual(
    [...dueNames].sort(),
    serverDue.items.map((h) => h.name).filter((n) => mine.includes(n)).sort(),
    'the phone\'s due list is the server\'s',
  );
  assert.equal(dueNames[0].length > 0, true);
  await page.getByLabel('搜索').fill('2组');
  await eventually(async () => (await page.locator('.households .name').count()) === 2);
  assert.deepEqual((await page.locator('.households .address').allTextContents()).every((a) => a.includes('2组')), true);
  await page.getByLabel('搜索').fill('周淑芬');
  await eventually(async () => (await page.locator('.households .name').allTextContents()).join() === '周淑芬');
  await page.getByRole('link', { name: '全部住户' }).click();
  await page.getByRole('heading', { name: '全部住户' }).waitFor();
  assert.equal(await page.locator('.households li').count(), 12);
});

test('a priority group visited more often: 李桂兰, 独居老人 every 2 days, is due on the phone as on the server', async (t) => {
  const world = await setup(t);
  const { page } = world;
  const admin = await world.api();
  const household = await world.household('李桂兰'); // visited 2 days ago: not due in a week
  await admin.call('PATCH', `/households/${household.id}`, { tags: ['独居老人'] });
  await admin.call('PUT', `/tags/${encodeURIComponent('独居老人')}`, { visit_interval_days: 2 });
  const [stored] = await world.query('SELECT visit_interval_days FROM tag_intervals WHERE tag = $1', ['独居老人']);
  assert.equal(stored.visit_interval_days, 2);

  await signIn(page, world.base);
  const dueNames = await page.locator('.households .name').allTextContents();
  assert.ok(dueNames.includes('李桂兰'), 'the tagged family is due');
  assert.ok(!dueNames.includes('赵玉梅'), 'an untagged family visited 2 days ago is not');
  const serverDue = (await admin.get('/households?due=true&per_page=200')).items.map((h) => h.name);
  const mine = (await world.query(
    "SELECT h.name FROM households h JOIN micro_grids m ON m.id = h.micro_grid_id WHERE m.name = '第一微网格'",
  )).map((r) => r.name);
  assert.deepEqual([...dueNames].sort(), serverDue.filter((n) => mine.includes(n)).sort(),
    'the phone counts as the server does');
});

test('issue actions online: 上报, 办结, 满意度回访, 重新办理 change the stored issue', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await signIn(page, world.base);
  await page.getByRole('link', { name: /王建华/ }).click();
  await page.getByRole('heading', { level: 1, name: '王建华' }).waitFor();
  await page.getByRole('link', { name: '拨打电话' }).waitFor();
  assert.equal(await page.getByRole('link', { name: '拨打电话' }).getAttribute('href'), 'tel:13812345678');
  await page.getByRole('button', { name: '上报' }).waitFor();
  await world.screenshot('app-dossier.png');
  const issueOf = async () => (await world.query(
    "SELECT status::text, resolution, satisfied FROM issues WHERE description LIKE '村口道路%'"))[0];

  await page.getByRole('button', { name: '上报' }).click();
  await eventually(async () => (await issueOf()).status === 'escalated');
  await page.getByRole('button', { name: '办结' }).click();
  await page.getByLabel('办理结果').fill('已安排村道养护队修补。');
  await page.getByRole('button', { name: '确认' }).click();
  await eventually(async () => (await issueOf()).status === 'resolved');
  assert.equal((await issueOf()).resolution, '已安排村道养护队修补。');
  await page.getByRole('button', { name: '满意度回访' }).click();
  await page.getByRole('button', { name: '满意', exact: true }).click();
  await eventually(async () => (await issueOf()).satisfied === true);
  await page.getByRole('button', { name: '重新办理' }).click();
  await eventually(async () => (await issueOf()).status === 'open');
});

test('群内走访 saves one 群内 visit for each household ticked, in one step', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await signIn(page, world.base);
  const before = await storedVisits(world);
  const dueBefore = await page.locator('.households li').count();
  await page.getByRole('button', { name: '群内走访' }).click();
  await page.getByRole('heading', { name: '群内走访' }).waitFor();
  for (const name of ['郑美华', '何丽娟', '孙志刚']) await page.getByRole('checkbox', { name }).check();
  await page.getByLabel('走访情况（每户相同）').fill('在群里通知了冬季防火注意事项，三户都回复了。');
  await world.screenshot('app-round.png');
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('heading', { name: '待走访' }).waitFor();
  assert.equal(await page.locator('.households li').count(), dueBefore - 3);
  await waitForStatus(page, '已全部同步');
  await eventually(async () => (await storedVisits(world)).length === before.length + 3);
  const added = (await storedVisits(world)).filter((v) => !before.some((b) => b.id === v.id));
  assert.deepEqual(added.map((v) => v.household).sort(), ['何丽娟', '孙志刚', '郑美华'].sort());
  assert.ok(added.every((v) => v.method === 'group' && v.summary.startsWith('在群里通知')));
});
