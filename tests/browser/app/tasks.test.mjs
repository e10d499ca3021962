// A task sent down (任务下发) reaches the leader's phone with its households; with the server
// gone the leader records a visit at each of them from the task's own view, the task shows
// 100% on the phone, and once the server is back the sync brings every one of those visits
// in, linked to the task, so the server's figures say done too. No second entry anywhere.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeBrowser, setup } from '../harness.mjs';
import { eventually, phoneQueue, signIn, waitForStatus, waitForWorker } from './steps.mjs';

after(closeBrowser);

const FAMILIES = ['王建华', '张德明', '孙志刚'];

function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

test('a task reaches 100% as visits are recorded offline and synced', async (t) => {
  const world = await setup(t);
  const { page } = world;
  // The three families carry the tag the task is sent to (the others of the grid do not).
  await world.query(
    "UPDATE households SET tags = array_append(tags, '独居老人') WHERE name = ANY($1)", [FAMILIES]);
  const admin = await world.api();
  const task = await admin.post('/tasks', {
    title: '冬季防火提醒', description: '上门检查电热毯、煤炉，提醒注意用火安全。', due_on: today(),
    tags: ['独居老人'],
  });
  assert.equal(task.households, 3);

  await signIn(page, world.base);
  await waitForWorker(page);
  const tasks = page.getByRole('region', { name: '任务（1）' });
  await tasks.getByRole('link', { name: /冬季防火提醒/ }).waitFor();
  // At the door, the dossier says what the township asked of this household.
  await page.getByRole('link', { name: /王建华/ }).first().click();
  await page.getByRole('heading', { level: 1, name: '王建华' }).waitFor();
  await page.getByRole('link', { name: '记录走访并完成任务：冬季防火提醒' }).waitFor();
  assert.equal(await page.getByRole('link', { name: /记录走访并完成任务/ }).count(), 1);
  await page.getByRole('link', { name: '返回待走访' }).click();
  await page.getByRole('heading', { name: '待走访' }).waitFor();

  await world.server.stop();
  await page.reload();
  await page.getByRole('heading', { name: '待走访' }).waitFor();
  await page.getByRole('region', { name: '任务（1）' }).getByRole('link', { name: /冬季防火提醒/ }).click();
  await page.getByRole('heading', { level: 1, name: '冬季防火提醒' }).waitFor();
  await page.getByText('已完成 0/3 户').waitFor();
  for (const [index, name] of FAMILIES.entries()) {
    await page.getByRole('link', { name: `记录走访 · ${name}` }).click();
    await page.getByRole('heading', { level: 1, name: `记录走访 · ${name}` }).waitFor();
    // Opened from the task: the visit is already linked to it.
    assert.equal(await page.getByRole('radio', { name: '冬季防火提醒' }).isChecked(), true);
    await page.getByLabel('走访情况').fill(`${name}家电热毯已检查。`);
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('heading', { level: 1, name: '冬季防火提醒' }).waitFor();
    await page.getByText(`已完成 ${index + 1}/3 户`).waitFor();
  }
  await page.getByText('这项任务都完成了，辛苦了！').waitFor();
  await world.screenshot('app-task.png');
  const queued = (await phoneQueue(page)).filter((i) => i.kind === 'visit');
  assert.equal(queued.length, 3);
  assert.ok(queued.every((i) => i.body.task_id === task.id), 'each queued visit names the task');
  const [{ count: before }] = await world.query(
    'SELECT count(*)::int FROM visits WHERE task_id = $1', [task.id]);
  assert.equal(before, 0, 'nothing reached the server while it was down');

  await world.server.start();
  await page.getByRole('button', { name: '立即同步' }).click();
  await waitForStatus(page, '已全部同步');
  const stored = await world.query(
    `SELECT h.name, v.summary FROM visits v JOIN households h ON h.id = v.household_id
      WHERE v.task_id = $1 ORDER BY h.name`, [task.id]);
  assert.deepEqual(stored.map((v) => v.name).sort(), [...FAMILIES].sort());
  assert.ok(stored.every((v) => v.summary.endsWith('家电热毯已检查。')));
  const shown = await eventually(async () => {
    const detail = await admin.get(`/tasks/${task.id}`);
    return detail.done === 3 ? detail : null;
  });
  assert.equal(shown.households, 3);
  assert.equal(shown.progress.reduce((sum, p) => sum + p.done, 0), 3);
  // The phone reads the server's figures now, not only its own.
  await page.getByRole('link', { name: '返回待走访' }).click();
  await page.getByRole('region', { name: '任务（1）' }).getByText('已完成 3/3 户').waitFor();
});
