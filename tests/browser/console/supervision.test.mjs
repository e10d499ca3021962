// 督办: a problem routed to an office and past its limit, and one due today, are counted on the
// page as GET /supervision counts them (by office, grid and leader); the figures follow the
// issues the server stores.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser } from '../harness.mjs';
import { assertAccessible, desk, openPage, signInAndWait, shot } from './console.mjs';

after(closeBrowser);

test('督办 counts late and due-today problems by office, grid and leader', async (t) => {
  const world = await desk(t);
  const { page } = world;
  const admin = await world.api();
  const office = await admin.post('/departments', { name: '交通运输站' });
  const household = await world.household('李桂兰');
  const issues = [];
  for (const description of ['村道路灯损坏', '桥头护栏松动']) {
    const issue = await admin.post('/issues', { household_id: household.id, category: 'road', description });
    await admin.post(`/issues/${issue.id}/assign`, { department_id: office.id });
    issues.push(issue.id);
  }
  // One past its limit, one on its last day (dates in the township's zone).
  await world.query("UPDATE issues SET due_on = (now() AT TIME ZONE 'Asia/Shanghai')::date - 1 WHERE id = $1", [issues[0]]);
  await world.query("UPDATE issues SET due_on = (now() AT TIME ZONE 'Asia/Shanghai')::date WHERE id = $1", [issues[1]]);

  await signInAndWait(world);
  await openPage(page, '督办');
  await page.locator('section[aria-busy="false"]').waitFor();
  const figure = async (name) => (await page.locator('dl.figures div').filter({ hasText: name }).locator('dd').textContent()).trim();
  assert.equal(await figure('已超期'), '1');
  assert.equal(await figure('今天到期'), '1');
  const byOffice = page.getByRole('region', { name: '按部门' });
  assert.deepEqual(await byOffice.locator('tbody tr').allInnerTexts(), ['交通运输站\t1\t1']);
  const api = await admin.get('/supervision');
  const leader = page.getByRole('region', { name: '按网格长' });
  assert.deepEqual(await leader.locator('tbody th').allTextContents(), api.by_leader.map((r) => r.name));
  await assertAccessible(page, '督办');
  await shot(world, 'console-supervision.png');
});
