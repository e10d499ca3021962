// WCAG 2.1 AA, checked by axe-core in each view; lang and a title per view; focus order;
// and the whole job done with the phone's text at 200%.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';
import { closeBrowser, setup } from '../harness.mjs';
import { eventually, recordVisit, signIn, storedVisits } from './steps.mjs';

after(closeBrowser);

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Runs axe in the page (through the DevTools protocol, so the page's CSP stays strict).
async function violations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function check(page, view, titles) {
  assert.deepEqual(await violations(page), [], `${view}: no WCAG 2.1 AA violations`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  const title = await page.title();
  assert.ok(!titles.includes(title), `${view} has its own title (${title})`);
  titles.push(title);
}

test('every view passes axe (WCAG 2.1 AA) and has its own title', async (t) => {
  const world = await setup(t);
  const { page } = world;
  const titles = [];
  await page.goto(`${world.base}/app/`);
  await page.getByRole('button', { name: '登录' }).waitFor();
  await world.screenshot('app-signin.png');
  await check(page, 'sign-in', titles);
  // A task sent down, so that the due list, the visit form and the task's own view show it.
  const admin = await world.api();
  const dueOn = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const task = await admin.post('/tasks', { title: '冬季防火提醒', description: '检查用火安全', due_on: dueOn });
  await signIn(page, world.base);
  await page.getByRole('region', { name: '任务（1）' }).waitFor();
  await check(page, 'due list', titles);
  await page.getByRole('link', { name: '全部住户' }).click();
  await page.getByRole('heading', { name: '全部住户' }).waitFor();
  await check(page, 'all households', titles);
  await page.getByRole('link', { name: /王建华/ }).click();
  await page.getByRole('button', { name: '上报' }).waitFor();
  await check(page, 'dossier', titles);
  await page.getByRole('button', { name: '记录走访' }).click();
  await page.getByLabel('走访情况').waitFor();
  await page.getByRole('radio', { name: '不关联任务' }).waitFor();
  await world.screenshot('app-visit.png');
  await check(page, 'visit form', titles);
  await page.getByRole('button', { name: '取消' }).click();
  await page.getByRole('button', { name: '反映诉求' }).click();
  await page.getByLabel('诉求内容').waitFor();
  await check(page, 'issue form', titles);
  await page.goto(`${world.base}/app/#/round`);
  await page.getByRole('heading', { name: '群内走访' }).waitFor();
  await check(page, 'round', titles);
  await page.goto(`${world.base}/app/#/attention`);
  await page.getByRole('heading', { name: '需处理' }).waitFor();
  await check(page, 'needs attention', titles);
  await page.goto(`${world.base}/app/#/task/${task.id}`);
  await page.getByRole('heading', { level: 1, name: '冬季防火提醒' }).waitFor();
  await check(page, 'task', titles);
});

test('the visit form is reached in a sensible focus order by keyboard', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await signIn(page, world.base);
  await page.getByRole('link', { name: /张德明/ }).click();
  await page.getByRole('button', { name: '记录走访' }).click();
  await page.getByLabel('走访情况').waitFor();
  const order = [];
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const el = document.activeElement;
      return el.labels?.[0]?.textContent.trim() || el.textContent.trim();
    }));
  }
  const at = (name) => order.indexOf(name);
  assert.ok(at('上门') >= 0 && at('走访情况') > at('上门'), order.join(' → '));
  assert.ok(at('认亲') > at('走访情况') && at('保存') > at('认亲'), order.join(' → '));
});

test('with the text at 200% the due list, dossier and visit form fit and work', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await signIn(page, world.base);
  const large = () => page.evaluate(() => { document.documentElement.style.fontSize = '225%'; }); // 2 × 112.5%
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  await large();
  assert.ok(await fits(), 'due list: no sideways scrolling');
  await world.screenshot('app-large-text.png');
  await page.getByRole('link', { name: /郑美华/ }).click();
  await page.getByRole('heading', { level: 1, name: '郑美华' }).waitFor();
  assert.ok(await fits(), 'dossier: no sideways scrolling');
  await page.getByRole('button', { name: '记录走访' }).click();
  await page.getByLabel('走访情况').waitFor();
  assert.ok(await fits(), 'visit form: no sideways scrolling');
  await page.getByRole('button', { name: '取消' }).click();
  await page.getByRole('button', { name: '记录走访' }).waitFor();
  await recordVisit(page, '郑美华', { summary: '大字也能用。', acquaint: true });
  await eventually(async () => (await storedVisits(world)).some((v) => v.summary === '大字也能用。'));
});
