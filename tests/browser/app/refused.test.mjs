// Items the server refuses for good go to "需处理" with the leader's text kept: a household
// moved away while its visit waited (404), and a visit dated in the future (422), which the
// leader corrects and sends again under the same id.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeBrowser, setup } from '../harness.mjs';
import {
  eventually, phoneQueue, raiseIssue, recordVisit, signIn, storedVisits, waitForStatus,
} from './steps.mjs';

after(closeBrowser);

test('a household moved away while its visit waited ends in 需处理 with the text kept', async (t) => {
  const world = await setup(t);
  const { page, context } = world;
  await signIn(page, world.base);
  const text = '何家说下个月要搬去儿子家住。';

  await context.setOffline(true);
  await recordVisit(page, '何丽娟', { summary: text });
  await raiseIssue(page, '何丽娟', { category: '住房', description: '搬走前想问问老房子怎么处理。' });
  await waitForStatus(page, '待同步 2');

  // Meanwhile the township moves the family to 第二微网格 (another leader's).
  const admin = await world.api();
  const household = await world.household('何丽娟');
  const [mg2] = await world.query("SELECT id::text FROM micro_grids WHERE name = '第二微网格'");
  await admin.post('/households/assign', { household_ids: [household.id], micro_grid_id: mg2.id });

  await context.setOffline(false);
  await waitForStatus(page, '已全部同步');
  await page.getByRole('link', { name: /需处理/ }).click();
  const list = page.getByRole('list', { name: '需处理' });
  await list.getByText('该户已不在您的网格').first().waitFor();
  assert.equal(await list.getByText('该户已不在您的网格').count(), 2);
  await list.getByText(text).waitFor();
  await world.screenshot('app-attention.png');

  const [item, issue] = await phoneQueue(page);
  assert.equal(issue.state, 'attention', 'the issue, too, has its answer');
  assert.equal(issue.body.description, '搬走前想问问老房子怎么处理。');
  assert.equal(item.state, 'attention');
  assert.equal(item.error.status, 404);
  assert.equal(item.body.summary, text, 'the leader\'s text is kept');
  const stored = await world.query('SELECT count(*)::int AS n FROM visits WHERE id = $1', [item.id]);
  assert.equal(stored[0].n, 0, 'the server stored nothing');
  const issues = await world.query('SELECT count(*)::int AS n FROM issues WHERE id = $1', [issue.id]);
  assert.equal(issues[0].n, 0);
  // The family left the leader's lists with the sync.
  await page.getByRole('link', { name: '返回待走访' }).click();
  await page.getByRole('link', { name: '全部住户' }).click();
  await page.getByRole('heading', { name: '全部住户' }).waitFor();
  assert.equal(await page.getByRole('link', { name: /何丽娟/ }).count(), 0);
});

test('a visit dated in the future is refused, fixed and re-sent under the same id', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await signIn(page, world.base);
  const before = await storedVisits(world);
  // The phone's clock runs a day ahead.
  await page.clock.install({ time: new Date(Date.now() + 86_400_000) });
  await page.reload();
  await page.getByRole('heading', { name: '待走访' }).waitFor();
  await recordVisit(page, '冯建军', { summary: '路灯坏了两盏，已记下。' });
  await waitForStatus(page, '已全部同步');
  await page.getByRole('link', { name: /需处理/ }).click();
  const list = page.getByRole('list', { name: '需处理' });
  await list.getByText(/走访时间/).waitFor();
  const [refused] = await phoneQueue(page);
  assert.equal(refused.error.status, 422);
  assert.ok(refused.error.fields.visited_at, 'the field named');
  assert.equal((await storedVisits(world)).length, before.length);

  await list.getByRole('link', { name: '改正后重新上传' }).click();
  // The right time: an hour ago by the real clock (the input is in the phone's zone).
  const real = new Date(Date.now() - 3600_000);
  const local = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).format(real).replace(' ', 'T');
  await page.getByLabel('走访时间').fill(local);
  await page.getByRole('button', { name: '重新上传' }).click();
  await eventually(async () => (await phoneQueue(page))[0]?.state === 'synced');
  await waitForStatus(page, '已全部同步');
  await page.getByText('没有需要处理的记录').waitFor();

  const after = await storedVisits(world);
  assert.equal(after.length, before.length + 1);
  const stored = after.find((v) => v.id === refused.id);
  assert.ok(stored, 'stored under the id the phone made first');
  assert.equal(stored.summary, '路灯坏了两盏，已记下。');
  assert.ok(Math.abs(new Date(stored.visited_at) - real) < 60_000, `${stored.visited_at} is the corrected time`);
});
