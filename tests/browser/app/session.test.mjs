// Sessions on a phone: two tabs whose token expired refresh once between them and stay
// signed in; a new version of the app is offered ("新版本可用") and applied only when no form
// is open; signing out warns while items wait and keeps them for the next sign-in.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeBrowser, setup, startProxy, TOWNSHIP } from '../harness.mjs';
import {
  eventually, phoneQueue, recordVisit, signIn, storedVisits, waitForStatus, waitForWorker,
} from './steps.mjs';

after(closeBrowser);

test('two tabs with an expired token make one refresh and neither is signed out', async (t) => {
  const world = await setup(t, { env: { LIANXIN_ACCESS_TTL_SECS: '5' } });
  const { page, context } = world;
  const started = new Date();
  await signIn(page, world.base);
  const household = await world.household('王建华');
  await new Promise((resolve) => setTimeout(resolve, 11_000)); // the access token expires (5 s + the server's 5 s leeway)

  const refreshes = [];
  context.on('request', (request) => {
    if (request.url().endsWith('/api/v1/auth/refresh')) refreshes.push(request);
  });
  const second = await context.newPage();
  await Promise.all([
    page.evaluate((id) => { location.hash = `#/h/${id}`; }, household.id),
    second.goto(`${world.base}/app/#/h/${household.id}`),
  ]);
  for (const tab of [page, second]) {
    await tab.getByRole('heading', { level: 1, name: '王建华' }).waitFor();
    await tab.getByRole('button', { name: '上报' }).waitFor(); // the online issue list answered
    await waitForStatus(tab, '已全部同步');
  }
  assert.equal(refreshes.length, 1, 'one refresh for both tabs');
  const tokens = await world.query(
    `SELECT t.issued_at, t.spent_at, t.revoked_at FROM refresh_tokens t JOIN users u ON u.id = t.user_id
      WHERE u.username = 'leader001' AND t.issued_at >= $1`, [started]);
  assert.equal(tokens.length, 2, 'the login\'s token and the one refresh');
  assert.ok(tokens.every((row) => row.revoked_at === null), 'the chain is not revoked');
  assert.equal(await second.getByLabel('密码').count(), 0, 'the second tab is signed in');

  await recordVisit(second, '王建华', { summary: '两个窗口都还登录着。' });
  await eventually(async () => (await storedVisits(world)).some((v) => v.summary === '两个窗口都还登录着。'));
  await second.close();
});

test('a new version offers 新版本可用 and applies it only when no form is open', async (t) => {
  const world = await setup(t);
  const proxy = await startProxy(world.server);
  t.after(() => proxy.close());
  const { page } = world;
  await signIn(page, proxy.base);
  await waitForWorker(page);
  const first = await page.evaluate(() => navigator.serviceWorker.controller.scriptURL);

  // A form is open when the new build arrives.
  await page.getByRole('link', { name: /张德明/ }).click();
  await page.getByRole('button', { name: '记录走访' }).click();
  await page.getByLabel('走访情况').fill('正在填写，不能被更新打断。');
  proxy.newBuild = true;
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/app/')).update());
  await page.getByText('新版本可用').waitFor();
  assert.equal(await page.getByRole('button', { name: '更新' }).count(), 0, 'not while the form is open');
  assert.equal(await page.getByLabel('走访情况').inputValue(), '正在填写，不能被更新打断。');
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('heading', { level: 1, name: '张德明' }).waitFor();
  // The save's sync settles first: its notices above the banner move the 更新 button.
  await eventually(async () => (await storedVisits(world)).some((v) => v.summary === '正在填写，不能被更新打断。'));
  await page.getByRole('button', { name: '更新' }).waitFor();
  await world.screenshot('app-update.png');

  const reloaded = page.waitForEvent('load');
  await page.getByRole('button', { name: '更新' }).click();
  await reloaded;
  await page.getByRole('heading', { level: 1, name: '张德明' }).waitFor();
  const active = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration('/app/');
    return { waiting: Boolean(registration.waiting), controller: Boolean(navigator.serviceWorker.controller) };
  });
  assert.deepEqual(active, { waiting: false, controller: true }, 'the new version took over');
  assert.equal(await page.getByText('新版本可用').count(), 0);
  assert.ok(first.endsWith('/app/sw.js'));
  // What was typed before the update reached the server.
  await eventually(async () => (await storedVisits(world)).some((v) => v.summary === '正在填写，不能被更新打断。'));
});

test('signing out with unsent items warns, forgets the households and keeps the items apart', async (t) => {
  const world = await setup(t);
  const { page, context } = world;
  await signIn(page, world.base);
  await context.setOffline(true);
  await recordVisit(page, '何丽娟', { summary: '退出前没有网络。' });
  await page.getByRole('link', { name: '返回待走访' }).click();
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByText('还有 1 条记录没有上传到服务器').waitFor();
  await world.screenshot('app-sign-out.png');
  await page.getByRole('button', { name: '仍然退出' }).click();
  await page.getByLabel('用户名').waitFor();

  const left = await page.evaluate(async () => {
    const out = {};
    // The users' databases (lianxin-<user>); lianxin.session only holds the pair under the lock.
    for (const { name } of (await indexedDB.databases()).filter((d) => d.name.startsWith('lianxin-'))) {
      const db = await new Promise((resolve) => { const r = indexedDB.open(name); r.onsuccess = () => resolve(r.result); });
      const count = (store) => new Promise((resolve) => {
        const r = db.transaction(store).objectStore(store).count(); r.onsuccess = () => resolve(r.result);
      });
      out[name] = { households: await count('households'), queue: await count('queue') };
      db.close();
    }
    return out;
  });
  assert.deepEqual(Object.values(left), [{ households: 0, queue: 1 }], 'no households, the unsent visit kept');

  // Another leader on the same phone sees nothing of it, and sends nothing of it.
  await context.setOffline(false);
  await signIn(page, world.base, TOWNSHIP.leader2);
  await waitForStatus(page, '已全部同步');
  assert.equal(await page.getByRole('link', { name: /何丽娟/ }).count(), 0);
  assert.equal((await storedVisits(world)).filter((v) => v.summary === '退出前没有网络。').length, 0);
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('button', { name: '退出登录' }).last().click();

  // Its owner signs in again: it goes.
  await signIn(page, world.base);
  await eventually(async () => (await storedVisits(world)).some((v) => v.summary === '退出前没有网络。'));
  const queue = await phoneQueue(page);
  assert.ok(queue.every((item) => item.state !== 'pending'));
});
