// What the console's browser tests share: a desk-sized browser, signing in at /console/, the
// extra grid and supervisor some tests need, an accessibility check with axe-core, and a
// reader of the rows of an .xlsx workbook (a zip of XML; node:zlib inflates it).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateRawSync } from 'node:zlib';
import { setup, TOWNSHIP } from '../harness.mjs';

/** An office desk: 1280×800, mouse and keyboard. */
export const DESK = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false };

/** The platform operator that seed.mjs creates before the township. */
export const PLATFORM = { username: 'root', password: 'root-pass-2026' };

/** A test's world (harness.mjs) at a desk. */
export function desk(t) {
  return setup(t, { context: DESK });
}

/** Signs in at /console/ and waits for the navigation (or for /app/ when `landsIn` says so). */
export async function signIn(world, who = TOWNSHIP.admin, { tenant = TOWNSHIP.code } = {}) {
  const { page } = world;
  await page.goto(`${world.base}/console/`);
  await page.getByLabel('乡镇代码').fill(tenant ?? '');
  await page.getByLabel('用户名').fill(who.username);
  await page.getByLabel('密码').fill(who.password);
  await page.getByRole('button', { name: '登录' }).click();
}

export async function signInAndWait(world, who, options) {
  await signIn(world, who, options);
  await world.page.getByRole('navigation', { name: '主导航' }).waitFor();
}

/** The navigation's link texts. */
export async function navLinks(page) {
  return page.getByRole('navigation', { name: '主导航' }).getByRole('link').allTextContents();
}

export async function openPage(page, name) {
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** Waits until the 概览 page has its figures, chart and table (nothing loading). */
export async function overviewComplete(page, { chart = true } = {}) {
  await page.locator('section.overview[aria-busy="false"]').waitFor();
  if (chart) await page.getByRole('img').first().waitFor();
}

/**
 * A second grid 西湖村 (one micro-grid with one household, led by leader002) and a supervisor
 * held to 东风村, for the tests of a grid supervisor's scope.
 */
export async function secondGridAndSupervisor(world) {
  const admin = await world.api();
  const grids = await admin.get('/grids');
  const dongfeng = grids.items.find((g) => g.name === '东风村');
  const xihu = await admin.post('/grids', { name: '西湖村', kind: 'village' });
  const mg = await admin.post(`/grids/${xihu.id}/micro-grids`, { name: '西湖第一微网格' });
  await admin.post('/households', { micro_grid_id: mg.id, kind: 'village', name: '西湖住户', address: '西湖村1组1号' });
  const supervisor = { username: 'dongfeng-sup', password: 'supervisor-pass-2026' };
  await admin.post('/users', {
    username: supervisor.username, display_name: '东风督导', role: 'supervisor',
    password: supervisor.password, grid_id: dongfeng.id,
  });
  return { admin, dongfeng, xihu, supervisor };
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.1 A and AA rules of axe-core on the page as it is now; no violation allowed. */
export async function assertAccessible(page, what) {
  // page.evaluate is not subject to the page's CSP, which forbids injected script tags.
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const violations = result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(violations, [], `${what}: accessibility violations`);
}

/** A screenshot for docs/console.md, without a focus ring or caret left by the test. */
export async function shot(world, file) {
  await world.page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  await world.screenshot(file);
}

/** Numbers as the console shows them (zh-CN grouping). */
export const count = (n) => Number(n).toLocaleString('zh-CN');
export const percent = (x) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`);

/** The 概览 figure with the label `label` (a <dt>/<dd> pair), without its note. */
export async function figure(page, label) {
  const dd = page.locator('dl.figures > div').filter({ has: page.locator('dt', { hasText: label }) }).locator('dd');
  const text = await dd.evaluate((el) => el.firstChild.textContent);
  return text.trim();
}

/** GETs a file from the API: its bytes and its Content-Disposition. */
export async function apiFile(base, token, urlPath) {
  const response = await fetch(`${base}/api/v1${urlPath}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, `GET ${urlPath}`);
  return { bytes: Buffer.from(await response.arrayBuffer()), disposition: response.headers.get('content-disposition') };
}

/** CSV text (RFC 4180, as the API writes it) into rows of cells. */
export function csvRows(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n') { row.push(cell.replace(/\r$/, '')); rows.push(row); row = []; cell = ''; }
    else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** The files of a zip archive (stored or deflated), by name. */
function unzip(bytes) {
  const files = new Map();
  let end = bytes.length - 22;
  while (bytes.readUInt32LE(end) !== 0x06054b50) end--;
  const entries = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  for (let i = 0; i < entries; i++) {
    const method = bytes.readUInt16LE(at + 10);
    const size = bytes.readUInt32LE(at + 20);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extra = bytes.readUInt16LE(at + 30);
    const comment = bytes.readUInt16LE(at + 32);
    const local = bytes.readUInt32LE(at + 42);
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = bytes.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : data);
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

const unescapeXml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** The first sheet of an .xlsx workbook as rows of cells (strings, or numbers as written). */
export function xlsxRows(bytes) {
  const files = unzip(bytes);
  const shared = [];
  const sst = files.get('xl/sharedStrings.xml')?.toString('utf8') || '';
  for (const si of sst.matchAll(/<si>([\s\S]*?)<\/si>/g)) {
    shared.push(unescapeXml([...si[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((m) => m[1]).join('')));
  }
  const sheet = files.get('xl/worksheets/sheet1.xml').toString('utf8');
  const rows = [];
  for (const r of sheet.matchAll(/<row[^>]*>([\s\S]*?)<\/row>/g)) {
    const row = [];
    for (const c of r[1].matchAll(/<c r="([A-Z]+)\d+"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const column = [...c[1]].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
      const type = /t="(\w+)"/.exec(c[2])?.[1];
      const value = /<v>([\s\S]*?)<\/v>/.exec(c[3] || '')?.[1];
      const inline = /<t[^>]*>([\s\S]*?)<\/t>/.exec(c[3] || '')?.[1];
      row[column] = type === 's' ? shared[Number(value)] : type === 'inlineStr' ? unescapeXml(inline)
        : type === 'str' ? unescapeXml(value ?? '') : value === undefined ? '' : Number(value);
    }
    rows.push(row);
  }
  return rows;
}

/** Waits until `check()` (the server's state) holds, for at most `ms`; returns its last value. */
export async function eventually(check, ms = 5000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
