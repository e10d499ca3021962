// The phone app's budgets (issue 10), measured in headless Chromium at 360×740:
//   1. the first visit's transfer, compressed (the page, its modules, and the service worker's
//      copy of the shell);                                               budget ≤ 100 KB
//   2. a repeat open, offline, CPU throttled 4×: navigation to the due list shown; budget ≤ 1 s
//   3. 200 queued visits synced over an emulated slow 3G link (400 kbit/s, 400 ms);
//                                                                        budget ≤ 10 s
// The leader holds 300 households (a large micro-grid set), seeded through the API.
//
//   LIANXIN_TEST_ADMIN_URL=postgres://user:pass@host:port/postgres \
//     node bench/app_budgets.mjs target/release/lianxin
//
// (any PostgreSQL server the user may create databases on; `cargo test` leaves one running,
// see docs/performance.md). Figures go to standard output as JSON and a table.

import path from 'node:path';
import {
  Api, CHROMIUM, CHROMIUM_ARGS, PHONE, PLACE, Server, TOWNSHIP, chromium, sql, startProxy, withDatabase,
} from '../tests/browser/harness.mjs';
import { seed } from '../tests/browser/seed.mjs';

const bin = process.argv[2];
const admin = process.env.LIANXIN_TEST_ADMIN_URL || process.env.TEST_DATABASE_URL;
if (!bin || !admin) {
  console.error('usage: LIANXIN_TEST_ADMIN_URL=postgres://…/postgres node bench/app_budgets.mjs <lianxin binary>');
  process.exit(2);
}
process.env.LIANXIN_BIN = path.resolve(bin);
const RUNS = Number(process.env.RUNS || 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const database = `lianxin_bench_app_${process.pid}`;
await sql(admin, `CREATE DATABASE ${database}`);
const databaseUrl = withDatabase(admin, database);
const { mg1 } = await seed(databaseUrl, {});
const server = await new Server(databaseUrl).start();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const results = {};
try {
  const office = new Api(server.base);
  await office.login(TOWNSHIP.code, TOWNSHIP.admin);
  for (let i = 0; i < 288; i += 1) {
    await office.post('/households', {
      micro_grid_id: mg1.id, kind: 'village', name: `住户${String(i + 1).padStart(3, '0')}`,
      address: `东风村${(i % 9) + 1}组${i + 20}号`, members: 1 + (i % 5),
    });
  }

  // 1. First visit: everything the page and its service worker fetch, as sent on the wire
  //    (counted by a proxy in front of the server).
  {
    const proxy = await startProxy(server);
    const context = await browser.newContext({ ...PHONE, ...PLACE });
    const page = await context.newPage();
    await page.goto(`${proxy.base}/app/`);
    await page.getByRole('button', { name: '登录' }).waitFor();
    await page.waitForFunction(async () => Boolean((await navigator.serviceWorker.ready).active));
    await page.waitForLoadState('networkidle');
    results.first_visit_kb = { total: +(proxy.bytes / 1024).toFixed(1), requests: proxy.requests, budget: 100 };
    await context.close();
    await proxy.close();
  }

  // 2. Repeat open, offline, CPU 4×.
  {
    const context = await browser.newContext({ ...PHONE, ...PLACE });
    const page = await context.newPage();
    await page.goto(`${server.base}/app/`);
    await page.getByLabel('乡镇代码').fill(TOWNSHIP.code);
    await page.getByLabel('用户名').fill(TOWNSHIP.leader.username);
    await page.getByLabel('密码').fill(TOWNSHIP.leader.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('#sync-status', { hasText: '已全部同步' }).waitFor();
    await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
    await page.locator('.households li').first().waitFor();
    const households = await page.evaluate(async () => {
      const { openStore, databaseName } = await import('/app/store.js');
      const store = openStore(databaseName(JSON.parse(localStorage.getItem('lianxin-app-session'))));
      return (await store.households()).length;
    });
    await context.setOffline(true);
    const times = [];
    for (let run = 0; run < RUNS; run += 1) {
      const tab = await context.newPage();
      const cdp = await context.newCDPSession(tab);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await tab.goto(`${server.base}/app/`);
      await tab.locator('.households li').first().waitFor();
      // From the navigation's start to the list drawn (the app marks it), as the page saw it.
      times.push(Math.round(await tab.evaluate(
        () => performance.getEntriesByName('lianxin:due-list-shown')[0].startTime,
      )));
      await tab.close();
    }
    results.repeat_open_offline_ms = { median: median(times), runs: times, households_on_phone: households, budget: 1000 };
    await context.setOffline(false);

    // 3. 200 visits queued offline, then synced over slow 3G.
    const ids = await page.evaluate(async (count) => {
      const { openStore, databaseName } = await import('/app/store.js');
      const { newVisit } = await import('/app/views/visit-form.js');
      const session = JSON.parse(localStorage.getItem('lianxin-app-session'));
      const store = openStore(databaseName(session));
      const all = await store.households();
      const items = [];
      for (let i = 0; i < count; i += 1) {
        items.push(newVisit(all[i % all.length], { method: 'door', summary: `第${i + 1}次走访：家中情况良好，无特别诉求。` }));
      }
      await store.putMany(items);
      return items.map((item) => item.id);
    }, 200);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 400_000 / 8,
    });
    // From the reload (the app opens and starts its sync) to every item answered.
    const start = Date.now();
    await page.reload();
    await page.locator('#sync-status', { hasText: '已全部同步' }).waitFor({ timeout: 120_000 });
    const elapsed = Date.now() - start;
    const [{ n }] = await sql(databaseUrl, 'SELECT count(*)::int AS n FROM visits WHERE id = ANY($1::uuid[])', [ids]);
    results.sync_200_visits_slow3g_ms = { elapsed, stored: n, budget: 10_000 };
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
  await sql(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
}

console.log(JSON.stringify(results, null, 2));
console.log(`
| budget | measured | limit |
|---|---|---|
| first visit, compressed | ${results.first_visit_kb.total} KB (${results.first_visit_kb.requests} requests) | 100 KB |
| repeat open offline, CPU 4× | ${results.repeat_open_offline_ms.median} ms (median of ${RUNS}) | 1000 ms |
| 200 queued visits, slow 3G | ${results.sync_200_visits_slow3g_ms.elapsed} ms (${results.sync_200_visits_slow3g_ms.stored} stored) | 10000 ms |`);
