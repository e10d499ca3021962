// Signed in with the network up: a visit recorded at the door reaches the server under the
// id the phone made for it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeBrowser, setup } from '../harness.mjs';
import { assertNoProblems, phoneQueue, recordVisit, signIn, waitForStatus } from './steps.mjs';

after(closeBrowser);

test('sign in and record a visit online: the server holds it under the phone\'s id', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await signIn(page, world.base);
  assert.equal(await page.title(), '待走访 · 连心');
  await world.screenshot('app-due.png');

  // The id the phone made is the one it sends (once synced, the phone drops the item as soon
  // as the server's data shows it, so it is read off the request).
  const sending = page.waitForRequest((r) => r.url().endsWith('/api/v1/visits/batch'));
  await recordVisit(page, '张德明', { summary: '老人身体不错，想了解医保报销。', acquaint: true });
  const [item] = (await sending).postDataJSON().visits;
  await waitForStatus(page, '已全部同步');
  assert.equal((await phoneQueue(page)).filter((i) => i.state !== 'synced').length, 0);

  const stored = await world.query(
    'SELECT v.id, v.summary, v.method, v.acquainted, u.username FROM visits v JOIN users u ON u.id = v.leader_id WHERE v.id = $1',
    [item.id],
  );
  assert.equal(stored.length, 1, 'the server holds the visit under the phone\'s id');
  assert.equal(stored[0].summary, '老人身体不错，想了解医保报销。');
  assert.equal(stored[0].method, 'door');
  assert.equal(stored[0].acquainted, true);
  assert.equal(stored[0].username, 'leader001');
  const [household] = await world.query('SELECT acquainted_at FROM households WHERE name = $1', ['张德明']);
  assert.ok(household.acquainted_at, '认亲 set the household acquainted');
  assertNoProblems(world);
});
