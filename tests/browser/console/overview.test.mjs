// 概览: the figures are the API's summary for the range shown; "导出CSV" saves the API's CSV
// byte for byte and "导出Excel" a workbook with the same rows; a grid supervisor sees only
// their grid; the week view draws a line chart and a row per week.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { closeBrowser } from '../harness.mjs';
import {
  apiFile, assertAccessible, count, csvRows, desk, figure, navLinks, overviewComplete, percent,
  secondGridAndSupervisor, shot, signInAndWait, xlsxRows,
} from './console.mjs';

after(closeBrowser);

async function range(page) {
  return { from: await page.getByLabel('开始日期').inputValue(), to: await page.getByLabel('结束日期').inputValue() };
}

async function assertFiguresAre(page, summary) {
  assert.equal(await figure(page, '走访人次'), count(summary.visits));
  assert.equal(await figure(page, '走访户数'), count(summary.households_visited));
  assert.equal(await figure(page, '覆盖率'), percent(summary.households ? summary.households_visited / summary.households : 0));
  assert.equal(await figure(page, '诉求'), count(summary.issues.raised));
  assert.equal(await figure(page, '已解决'), count(summary.issues.resolved));
  assert.equal(await figure(page, '满意度'), percent(summary.issues.satisfaction_rate));
  assert.equal(await figure(page, '按时办结率'), percent(summary.issues.on_time_rate));
  const median = summary.issues.median_working_days;
  assert.equal(await figure(page, '办结用时'), median == null ? '—' : String(Number.isInteger(median) ? median : median.toFixed(1)));
}

test('the dashboard shows the summary of /api/v1/stats/summary for the range on the page', async (t) => {
  const world = await desk(t);
  const { page } = world;
  await signInAndWait(world);
  await overviewComplete(page);
  const admin = await world.api();
  const { from, to } = await range(page);
  const summary = await admin.get(`/stats/summary?from=${from}&to=${to}`);
  assert.ok(summary.visits > 0, 'the seeded township has visits in the last 30 days');
  await assertFiguresAre(page, summary);

  // Another range: the figures follow it.
  await page.getByLabel('开始日期').fill(to);
  await overviewComplete(page);
  const oneDay = await admin.get(`/stats/summary?from=${to}&to=${to}`);
  await assertFiguresAre(page, oneDay);

  // The table has a row per grid with the breakdown's numbers, and the chart says what it draws.
  const breakdown = await admin.get(`/stats/breakdown?by=grid&from=${to}&to=${to}`);
  const rows = page.locator('section[aria-labelledby="ov-table-h"] tbody tr');
  assert.equal(await rows.count(), breakdown.rows.length);
  const chart = page.getByRole('img');
  assert.match(await chart.getAttribute('aria-label'), /按网格走访人次柱状图/);
  await assertAccessible(page, '概览');
  await page.getByLabel('开始日期').fill(from);
  await overviewComplete(page);
  await shot(world, 'console-overview.png');
  assert.deepEqual(world.problems, []);
});

test('导出CSV saves the API\'s CSV byte for byte and 导出Excel a workbook with the same rows', async (t) => {
  const world = await desk(t);
  const { page } = world;
  await signInAndWait(world);
  await overviewComplete(page);
  await page.getByLabel('统计口径').selectOption({ label: '按微网格' });
  await overviewComplete(page);
  const { from, to } = await range(page);
  const admin = await world.api();
  const query = `by=micro_grid&from=${from}&to=${to}`;

  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出CSV' }).click()]);
  const saved = await readFile(await csvDownload.path());
  const fromApi = await apiFile(world.base, admin.token, `/stats/export?format=csv&${query}`);
  assert.ok(saved.equals(fromApi.bytes), 'the saved CSV is the API\'s, byte for byte');
  assert.equal(csvDownload.suggestedFilename(), decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(fromApi.disposition)[1]));

  const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出Excel' }).click()]);
  assert.match(xlsxDownload.suggestedFilename(), /\.xlsx$/);
  const sheet = xlsxRows(await readFile(await xlsxDownload.path()));
  const csv = csvRows(saved.toString('utf8').replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
  assert.equal(sheet.length, csv.length, 'as many rows (header included)');
  assert.ok(csv.length > 2, 'the seeded micro-grids are exported');
  for (const [i, row] of csv.entries()) {
    for (const [j, cell] of row.entries()) {
      const x = sheet[i][j] ?? ''; // a cell left unwritten (no figure) is the CSV's empty field
      if (typeof x === 'number') assert.ok(Math.abs(x - Number(cell)) < 1e-4, `row ${i} column ${j}: ${x} vs ${cell}`);
      else assert.equal(x, cell, `row ${i} column ${j}`);
    }
  }
  // Each export is audited: the console's two and this test's own CSV.
  const audit = await admin.get('/audit?action=stats.export');
  assert.deepEqual(audit.items.map((e) => e.detail.format).sort(), ['csv', 'csv', 'xlsx']);
});

test('a grid supervisor sees only their grid', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const { supervisor } = await secondGridAndSupervisor(world);
  await signInAndWait(world, supervisor);
  assert.deepEqual(await navLinks(page), ['概览', '网格', '住户', '诉求', '任务', '督办']);
  await overviewComplete(page);
  const rows = page.locator('section[aria-labelledby="ov-table-h"] tbody th');
  assert.deepEqual(await rows.allTextContents(), ['东风村']);
  const api = await world.api(supervisor);
  const { from, to } = await range(page);
  await assertFiguresAre(page, await api.get(`/stats/summary?from=${from}&to=${to}`));
  // The lowest-coverage list names only micro-grids of 东风村.
  const lowest = await page.locator('ol.lowest li').allTextContents();
  assert.ok(lowest.length > 0 && lowest.every((l) => !l.includes('西湖')), lowest.join(' | '));

  // Drill down: 东风村 → its micro-grids → 第一微网格's households.
  await page.getByRole('button', { name: '东风村' }).click();
  await overviewComplete(page);
  assert.deepEqual(await rows.allTextContents(), ['第一微网格', '第二微网格']);
  await page.getByRole('button', { name: '第一微网格' }).click();
  await page.getByRole('heading', { name: '第一微网格的住户' }).waitFor();
  await overviewComplete(page, { chart: false });
  const households = await api.get(`/households?micro_grid_id=${(await api.get('/micro-grids')).items.find((m) => m.name === '第一微网格').id}`);
  assert.equal(await rows.count(), households.total);

  // The grids page lists 东风村 alone.
  await page.getByRole('link', { name: '网格' }).click();
  const gridRows = page.getByRole('table', { name: '网格列表' }).locator('tbody th');
  await gridRows.first().waitFor();
  assert.deepEqual(await gridRows.allTextContents(), ['东风村']);
  assert.deepEqual(world.problems, []);
});

test('按周 draws visits and coverage by week, with a table row per week', async (t) => {
  const world = await desk(t);
  const { page } = world;
  await signInAndWait(world);
  await page.getByLabel('统计口径').selectOption({ label: '按周' });
  await overviewComplete(page);
  const { from, to } = await range(page);
  const weeks = await (await world.api()).get(`/stats/breakdown?by=week&from=${from}&to=${to}`);
  const rows = page.locator('section[aria-labelledby="ov-table-h"] tbody tr');
  assert.equal(await rows.count(), weeks.rows.length);
  assert.match(await page.getByRole('img').getAttribute('aria-label'), /按周走访人次与覆盖率折线图/);
  assert.equal(await page.locator('svg[role="img"] polyline').count(), 2);

  // Sorting by 走访人次 (numbers sort largest first) puts the busiest week first.
  await page.getByRole('button', { name: '走访人次' }).click();
  const busiest = Math.max(...weeks.rows.map((r) => r.visits));
  assert.equal(await rows.first().locator('td').nth(1).textContent(), count(busiest));
  assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);
  await assertAccessible(page, '概览 按周');
});
