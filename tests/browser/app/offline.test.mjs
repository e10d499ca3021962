// With the server gone: the app opens from the phone, the due list is there, the leader
// records three visits and an issue, and once the server is back exactly those four arrive.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeBrowser, setup } from '../harness.mjs';
import {
  backToList, phoneQueue, raiseIssue, recordVisit, signIn, storedVisits, waitForStatus, waitForWorker,
} from './steps.mjs';

after(closeBrowser);

test('offline: the due list opens, four items queue, and reach the server once it is back', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await signIn(page, world.base);
  await waitForWorker(page);
  const before = await storedVisits(world);

  await world.server.stop();
  await page.reload();
  await page.getByRole('heading', { name: '待走访' }).waitFor();
  await page.getByRole('link', { name: /张德明/ }).waitFor();
  const dueBefore = await page.getByRole('listitem').count();

  await recordVisit(page, '张德明', { summary: '门口聊了几句，家里都好。' });
  await backToList(page);
  await recordVisit(page, '刘国强', { method: '电话', summary: '' });
  await backToList(page);
  await recordVisit(page, '孙志刚', { summary: '儿子在外打工，老人独居，需要多关心。' });
  await raiseIssue(page, '孙志刚', { category: '民生保障', description: '独居老人，希望申请居家养老服务。' });
  await waitForStatus(page, '待同步 4');
  await page.getByText('待同步', { exact: true }).first().waitFor();
  await backToList(page);
  // The due list moved with the visits saved offline.
  assert.equal(await page.getByRole('listitem').count(), dueBefore - 3);
  await world.screenshot('app-offline.png');

  const queued = await phoneQueue(page);
  assert.equal(queued.length, 4);
  assert.deepEqual(await storedVisits(world), before, 'nothing reached the server while it was down');

  await world.server.start();
  await page.getByRole('button', { name: '立即同步' }).click();
  await waitForStatus(page, '已全部同步');

  const after = await storedVisits(world);
  const visits = queued.filter((i) => i.kind === 'visit');
  const newIds = after.map((v) => v.id).filter((id) => !before.some((b) => b.id === id));
  assert.deepEqual(newIds.sort(), visits.map((v) => v.id).sort(), 'exactly the three queued visits');
  const issue = queued.find((i) => i.kind === 'issue');
  const issues = await world.query('SELECT id::text, visit_id::text, category, description FROM issues WHERE id = $1', [issue.id]);
  assert.equal(issues.length, 1);
  assert.equal(issues[0].description, '独居老人，希望申请居家养老服务。');
  assert.equal(issues[0].category, 'welfare');
  const sunVisit = visits.find((v) => v.household.name === '孙志刚');
  assert.equal(issues[0].visit_id, sunVisit.id, 'the issue names the visit it followed');
  const [{ count }] = await world.query(
    "SELECT count(*)::int FROM issues WHERE description = '独居老人，希望申请居家养老服务。'");
  assert.equal(count, 1);
});
