// The township's path for a problem, ending at the door: the office routes 王建华's road
// problem to 交通运输站, its handler signs for it and reports it done; the leader finds it
// under 待验收 on the phone, checks, and 验收通过 resolves it with the office's resolution.
// A second problem is sent back (退回重办) with the leader's note.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Api, closeBrowser, setup, TOWNSHIP } from '../harness.mjs';
import { eventually, signIn } from './steps.mjs';

after(closeBrowser);

const HANDLER = { username: 'jiaotong01', password: 'handler-pass-2026' };

async function routedAndDone(world, issueId, resolution) {
  const admin = await world.api();
  const handler = new Api(world.base);
  await handler.login(TOWNSHIP.code, HANDLER);
  await admin.post(`/issues/${issueId}/assign`, { department_id: world.department, due_days: 3 });
  await handler.post(`/issues/${issueId}/accept`, {});
  await handler.post(`/issues/${issueId}/done`, { resolution });
}

async function office(world) {
  const admin = await world.api();
  const department = await admin.post('/departments', { name: '交通运输站' });
  await admin.post('/users', {
    username: HANDLER.username, display_name: '交通站李站长', role: 'handler',
    department_id: department.id, password: HANDLER.password,
  });
  world.department = department.id;
}

test('a problem an office reports done is verified at the door: 待验收, then 验收通过', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await office(world);
  const [issue] = await world.query("SELECT id FROM issues WHERE description LIKE '村口道路%'");
  await routedAndDone(world, issue.id, '交通运输站已在村口设置警示桩。');

  await signIn(page, world.base);
  const waiting = page.getByRole('region', { name: '待验收的诉求（1）' });
  await waiting.waitFor();
  await waiting.getByRole('link', { name: /王建华/ }).click();
  await page.getByRole('heading', { level: 1, name: '王建华' }).waitFor();
  await page.getByText(/办理时限 \d{4}-\d{2}-\d{2}/).waitFor();
  await page.getByRole('button', { name: '退回重办' }).scrollIntoViewIfNeeded();
  await world.screenshot('app-verify.png');
  await page.getByRole('button', { name: '验收通过' }).click();
  const stored = async () => (await world.query(
    'SELECT status::text, resolution, resolved_at IS NOT NULL AS closed FROM issues WHERE id = $1', [issue.id]))[0];
  await eventually(async () => (await stored()).status === 'resolved');
  assert.deepEqual(await stored(), { status: 'resolved', resolution: '交通运输站已在村口设置警示桩。', closed: true });
  const [event] = await world.query(
    "SELECT action, actor_id FROM issue_events WHERE issue_id = $1 ORDER BY at DESC, id DESC LIMIT 1", [issue.id]);
  const [leader] = await world.query('SELECT id FROM users WHERE username = $1', [TOWNSHIP.leader.username]);
  assert.equal(event.actor_id, leader.id, 'the leader verified it');
});

test('退回重办 sends it back to the office with the leader\'s 验收意见', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await office(world);
  const [issue] = await world.query("SELECT id FROM issues WHERE description LIKE '村口道路%'");
  await routedAndDone(world, issue.id, '已处理。');
  await signIn(page, world.base);
  await page.getByRole('region', { name: '待验收的诉求（1）' }).getByRole('link', { name: /王建华/ }).click();
  await page.getByRole('button', { name: '退回重办' }).click();
  await page.getByLabel('验收意见').fill('警示桩只设了一侧，另一侧还没有。');
  await page.getByRole('button', { name: '确认' }).click();
  await eventually(async () => (await world.query('SELECT status::text FROM issues WHERE id = $1', [issue.id]))[0].status === 'accepted');
  const notes = (await world.query('SELECT note FROM issue_events WHERE issue_id = $1', [issue.id])).map((r) => r.note);
  assert.ok(notes.includes('警示桩只设了一侧，另一侧还没有。'), `the note is in the events: ${notes}`);
});
