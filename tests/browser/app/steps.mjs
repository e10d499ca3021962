// Steps the phone app's tests share: signing in, recording, reading the phone's queue.
import assert from 'node:assert/strict';
import { TOWNSHIP } from '../harness.mjs';

export async function signIn(page, base, who = TOWNSHIP.leader) {
  await page.goto(`${base}/app/`);
  await page.getByLabel('乡镇代码').fill(TOWNSHIP.code);
  await page.getByLabel('用户名').fill(who.username);
  await page.getByLabel('密码').fill(who.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { name: '待走访' }).waitFor();
  // The first sync has filled the phone.
  await page.getByRole('listitem').first().waitFor();
}

export function syncStatus(page) {
  return page.locator('#sync-status');
}

export async function waitForStatus(page, text, timeout = 20_000) {
  await page.locator('#sync-status', { hasText: text }).waitFor({ timeout });
}

export async function openHousehold(page, name) {
  const dossier = page.getByRole('heading', { level: 1, name });
  const list = page.getByRole('heading', { level: 1, name: /待走访|全部住户/ });
  // Already on the dossier? A sync that ends may redraw the view, so look until one of the
  // two headings is steadily there rather than trusting one glance.
  for (let look = 0; look < 10; look += 1) {
    await dossier.or(list).first().waitFor();
    if (await dossier.isVisible()) return;
    if (await list.isVisible()) break;
  }
  // A household visited a moment ago has left the due list: look in 全部住户.
  const link = page.getByRole('link', { name: new RegExp(name) }).first();
  if (!(await link.isVisible())) await page.getByRole('link', { name: '全部住户' }).click();
  await link.click();
  await dossier.waitFor();
}

export async function recordVisit(page, name, { method = '上门', summary, acquaint = false } = {}) {
  await openHousehold(page, name);
  await page.getByRole('button', { name: '记录走访' }).click();
  await page.getByRole('radio', { name: method }).check();
  if (summary !== undefined) await page.getByLabel('走访情况').fill(summary);
  if (acquaint) await page.getByRole('checkbox', { name: '认亲' }).check();
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

export async function raiseIssue(page, name, { category = '道路', description }) {
  await openHousehold(page, name);
  await page.getByRole('button', { name: '反映诉求' }).click();
  await page.getByLabel('类别').selectOption({ label: category });
  await page.getByLabel('诉求内容').fill(description);
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

export async function backToList(page) {
  await page.getByRole('link', { name: '返回待走访' }).click();
  await page.getByRole('heading', { name: '待走访' }).waitFor();
}

/** Every item of every user's queue on this phone (IndexedDB), oldest first. */
export async function phoneQueue(page) {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('lianxin-'));
    const items = [];
    for (const name of names) {
      const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      if (db.objectStoreNames.contains('queue')) {
        const rows = await new Promise((resolve) => {
          const request = db.transaction('queue').objectStore('queue').getAll();
          request.onsuccess = () => resolve(request.result);
        });
        items.push(...rows.map((r) => ({ ...r, database: name })));
      }
      db.close();
    }
    return items.sort((a, b) => a.id.localeCompare(b.id));
  });
}

export function assertNoProblems(world) {
  assert.deepEqual(world.problems.filter((p) => !/Failed to load resource/.test(p)), []);
}

/** Waits until the service worker controls the page (the shell is cached). */
export async function waitForWorker(page) {
  await page.waitForFunction(async () => {
    const registration = await navigator.serviceWorker.ready;
    return Boolean(registration.active && navigator.serviceWorker.controller);
  }, null, { timeout: 20_000 });
}

/** Visits the leader's account stored, as the server has them. */
export async function storedVisits(world, username = 'leader001') {
  return world.query(
    `SELECT v.id::text, v.summary, v.method, v.visited_at, h.name AS household
       FROM visits v JOIN users u ON u.id = v.leader_id JOIN households h ON h.id = v.household_id
      WHERE u.username = $1 ORDER BY v.id`,
    [username],
  );
}

/** Polls `check` until it returns a truthy value (or fails after `timeout` ms). */
export async function eventually(check, timeout = 20_000) {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`not within ${timeout} ms: ${check}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
