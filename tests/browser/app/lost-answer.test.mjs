// The server stores a visit and an issue but the phone never hears the answer: the resend
// under the same ids stores nothing twice.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeBrowser, setup } from '../harness.mjs';
import { phoneQueue, raiseIssue, recordVisit, signIn, storedVisits, waitForStatus } from './steps.mjs';

after(closeBrowser);

test('a sync whose answer is lost stores nothing twice', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await signIn(page, world.base);
  const before = await storedVisits(world);

  const lost = { batch: 0, issues: 0 };
  // The request reaches the server; its answer is dropped on the way back.
  await page.route('**/api/v1/visits/batch', async (route) => {
    if (lost.batch === 0) {
      lost.batch += 1;
      await route.fetch();
      await route.abort('connectionreset');
    } else await route.continue();
  });
  await page.route('**/api/v1/issues', async (route) => {
    if (route.request().method() === 'POST' && lost.issues === 0) {
      lost.issues += 1;
      await route.fetch();
      await route.abort('connectionreset');
    } else await route.continue();
  });

  await recordVisit(page, '郑美华', { summary: '第一次上门，认识了一家人。', acquaint: true });
  await raiseIssue(page, '郑美华', { category: '住房', description: '老房子漏雨，想申请危房改造。' });
  await waitForStatus(page, '已全部同步', 30_000);
  assert.equal(lost.batch, 1);
  assert.equal(lost.issues, 1);

  const queued = await phoneQueue(page);
  const visit = queued.find((i) => i.kind === 'visit');
  const issue = queued.find((i) => i.kind === 'issue');
  const after = await storedVisits(world);
  assert.equal(after.length, before.length + 1, 'one visit stored, not two');
  assert.ok(after.some((v) => v.id === visit.id));
  const issues = await world.query("SELECT id::text FROM issues WHERE description = '老房子漏雨，想申请危房改造。'");
  assert.deepEqual(issues.map((i) => i.id), [issue.id], 'one issue stored, under the phone\'s id');
});
