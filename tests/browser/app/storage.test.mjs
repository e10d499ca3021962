// A full phone: the save fails, the leader is told, the text stays in the form; with room
// again the same form saves and the visit reaches the server.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeBrowser, setup } from '../harness.mjs';
import { eventually, signIn, storedVisits } from './steps.mjs';

after(closeBrowser);

test('a full phone (IndexedDB quota) is shown and loses nothing', async (t) => {
  const world = await setup(t);
  const { page } = world;
  await signIn(page, world.base);
  await page.getByRole('link', { name: /何丽娟/ }).click();
  await page.getByRole('button', { name: '记录走访' }).click();
  const text = '手机满了也不能丢的内容。'.repeat(40);
  await page.getByLabel('走访情况').fill(text);

  // The phone is full: IndexedDB refuses writes as Chromium does when the quota is spent.
  // (Chromium's quota override does not refuse a write this small, so the refusal is made
  // here, at the same place the browser would raise it.)
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function full() {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    window.roomAgain = () => { IDBObjectStore.prototype.put = put; };
  });
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('alert').filter({ hasText: '手机存储空间已满' }).first().waitFor();
  await world.screenshot('app-quota.png');
  assert.equal(await page.getByLabel('走访情况').inputValue(), text, 'the text is still in the form');

  await page.evaluate(() => window.roomAgain());
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('heading', { level: 1, name: '何丽娟' }).waitFor();
  await eventually(async () => (await storedVisits(world)).some((v) => v.summary === text));
});
