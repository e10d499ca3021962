// A tablet (800 px wide, the navigation across the top): every page the admin has fits the
// width — the page itself never scrolls sideways (wide tables scroll inside their frame).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, setup } from '../harness.mjs';
import { openPage, signInAndWait } from './console.mjs';

after(closeBrowser);

test('at tablet width every page fits without sideways scrolling', async (t) => {
  const world = await setup(t, { context: { viewport: { width: 800, height: 1100 }, deviceScaleFactor: 1, isMobile: false, hasTouch: true } });
  const { page } = world;
  await signInAndWait(world);
  for (const name of ['概览', '网格', '住户', '人员', '诉求', '任务', '导入', '审计', '重点人群', '部门', '督办']) {
    await openPage(page, name);
    await page.waitForTimeout(300);
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));
    assert.ok(scroll <= width, `${name}: page is ${scroll} px wide in a ${width} px window`);
  }
  const nav = await page.getByRole('navigation', { name: '主导航' }).boundingBox();
  assert.ok(nav.width > 700, 'the navigation runs across the top');
});
