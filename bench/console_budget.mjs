// The console's page-complete budget (issue 11 point 7; figures in docs/performance.md): on the
// demo township with 52 weeks of history, the 概览 page for a year by week must be complete —
// figures, chart and table — within 1 s of signing in, and each statistics request it makes
// must answer within 100 ms. Measured in headless Chromium (the browser tests' harness)
// against a running `lianxin serve`.
//
//   node bench/console_budget.mjs [path to lianxin]      (default target/release/lianxin)
//
// Environment: BENCH_DATABASE_URL — a database that holds `lianxin demo --weeks 52` (seeded
// by this script when it has no demo township yet; LIANXIN_JWT_SECRET is set for you).
// Without it the binary's embedded cluster in BENCH_DATA_DIR (default .lianxin-bench/) is
// used and seeded on the first run. BENCH_RUNS (default 7) sign-ins are measured, each in a
// fresh browser context (nothing cached), after one warm-up. The last run's page is saved as
// docs/screenshots/console-overview-year.png.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';
import { CHROMIUM, CHROMIUM_ARGS, JWT_SECRET, PLACE, ROOT } from '../tests/browser/harness.mjs';

const bin = path.resolve(process.argv[2] || path.join(ROOT, 'target/release/lianxin'));
if (!existsSync(bin)) {
  console.error(`no lianxin binary at ${bin}: cargo build --release, or pass its path`);
  process.exit(2);
}
const runs = Number(process.env.BENCH_RUNS || 7);
const env = {
  PATH: process.env.PATH,
  RUST_LOG: 'warn',
  LIANXIN_JWT_SECRET: JWT_SECRET,
  ...(process.env.BENCH_DATABASE_URL
    ? { DATABASE_URL: process.env.BENCH_DATABASE_URL }
    : { LIANXIN_DATA_DIR: path.resolve(process.env.BENCH_DATA_DIR || path.join(ROOT, '.lianxin-bench')) }),
};
const PASSWORD = process.env.LIANXIN_DEMO_PASSWORD || 'xindai-demo-2026';

function serve() {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['serve', '--bind', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const found = /serving on http:\/\/[^:]+:(\d+)\//.exec(out);
      if (found) resolve({ child, base: `http://127.0.0.1:${found[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`lianxin serve exited (${code}): ${err}`)));
  });
}

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lianxin ${args.join(' ')}: ${code}`))));
  });
}

async function demoSeeded(base) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ tenant: 'xindai', username: 'admin', password: PASSWORD }),
  });
  return r.ok;
}

/** A day `days` before today in the demo township's zone, YYYY-MM-DD. */
const shanghaiDay = (days = 0) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - days * 86_400_000));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const max = (xs) => Math.max(...xs);
const ms = (x) => `${x.toFixed(0)} ms`;

let server = await serve();
if (!(await demoSeeded(server.base))) {
  server.child.kill('SIGTERM');
  console.error('seeding the demo township with 52 weeks of history (once)…');
  await run(['demo', '--weeks', '52']);
  server = await serve();
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
const url = `${server.base}/console/#overview?${new URLSearchParams({ by: 'week', from: shanghaiDay(364), to: shanghaiDay(0) })}`;
// The service's own latency histogram (its `/metrics`), for the statistics routes: what the
// server took from receiving each request to its answer, without the browser's share of the
// machine. Read after the warm-up and at the end; the difference is the measured runs'.
async function serverLatency() {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const out = new Map();
  for (const line of text.split('\n')) {
    const m = line.match(/^lianxin_http_request_duration_seconds_(bucket|sum|count)\{(.*)\} (\S+)$/);
    if (!m || !m[2].includes('route="/api/v1/stats/')) continue;
    const route = m[2].match(/route="([^"]+)"/)[1];
    const entry = out.get(route) || { buckets: {}, sum: 0, count: 0 };
    if (m[1] === 'bucket') entry.buckets[m[2].match(/le="([^"]+)"/)[1]] = Number(m[3]);
    else entry[m[1]] = Number(m[3]);
    out.set(route, entry);
  }
  return out;
}
let latencyBefore = new Map();
let latencyAfter = new Map();
const pageTimes = [];
const renderTimes = [];
const requestTimes = new Map();
try {
  for (let i = 0; i <= runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...PLACE });
    const page = await context.newPage();
    const stats = [];
    page.on('requestfinished', (request) => {
      if (!request.url().includes('/api/v1/stats/')) return;
      const t = request.timing();
      const url = new URL(request.url());
      stats.push({ path: `${url.pathname}?by=${url.searchParams.get('by') || ''}`, ms: t.responseEnd, at: performance.now() });
    });
    await page.goto(url);
    await page.getByLabel('乡镇代码').fill('xindai');
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码').fill(PASSWORD);
    const login = page.waitForResponse((r) => r.url().endsWith('/auth/login'));
    await page.getByRole('button', { name: '登录' }).click();
    await login;
    const signedIn = performance.now();
    // Complete: nothing loading, the eight figures, the chart and a table row per week.
    await page.waitForFunction(() => {
      const section = document.querySelector('section.overview[aria-busy="false"]');
      return section && section.querySelector('svg[role="img"] polyline')
        && section.querySelectorAll('dl.figures dd').length === 8
        && section.querySelectorAll('section[aria-labelledby="ov-table-h"] tbody tr').length >= 52;
    }, null, { polling: 'raf', timeout: 30_000 });
    const done = performance.now();
    const complete = done - signedIn;
    // The page's own share: from the last statistics answer to complete.
    const lastAnswer = Math.max(...stats.map((x) => x.at));
    if (i === runs) {
      // The year by week on the demo, for docs/console.md.
      await page.evaluate(() => document.activeElement?.blur());
      await page.screenshot({ path: path.join(ROOT, 'docs/screenshots/console-overview-year.png') });
    }
    if (i > 0) {
      pageTimes.push(complete);
      renderTimes.push(done - lastAnswer);
      for (const s of stats) requestTimes.set(s.path, [...(requestTimes.get(s.path) || []), s.ms]);
    }
    await context.close();
    if (i === 0) latencyBefore = await serverLatency();
  }
  latencyAfter = await serverLatency();
} finally {
  await browser.close();
  server.child.kill('SIGTERM');
}

console.log(`概览, a year by week, ${runs} sign-ins (after one warm-up), fresh browser context each:`);
console.log(`  sign-in answered → figures, chart and table complete: median ${ms(median(pageTimes))}, max ${ms(max(pageTimes))} (budget 1000 ms)`);
console.log(`  of which after the last statistics answer (the page's own work): median ${ms(median(renderTimes))}, max ${ms(max(renderTimes))}`);
for (const [p, xs] of requestTimes) {
  console.log(`  ${p.padEnd(36)} median ${ms(median(xs))}, max ${ms(max(xs))} (budget 100 ms)`);
}
for (const [route, after] of latencyAfter) {
  const before = latencyBefore.get(route) || { buckets: {}, sum: 0, count: 0 };
  const n = after.count - before.count;
  const within = (le) => (after.buckets[le] || 0) - (before.buckets[le] || 0);
  console.log(`  server side ${route.padEnd(24)} ${n} answers: mean ${ms(((after.sum - before.sum) / n) * 1000)}, `
    + `${within('0.05')} within 50 ms, ${within('0.1')} within 100 ms (the service's own histogram)`);
}
const over = max(pageTimes) > 1000 || [...requestTimes.values()].some((xs) => max(xs) > 100);
console.log(over ? 'OVER BUDGET' : 'within budget');
