// "下载本月民情日志": the leader saves their month's statement from the phone, as the server
// makes it from what was recorded (nobody types it again); the server counts the export.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, test } from 'node:test';
import { closeBrowser, setup, TOWNSHIP } from '../harness.mjs';
import { signIn } from './steps.mjs';

after(closeBrowser);

test('a leader saves this month\'s 民情日志 from the phone', async (t) => {
  const world = await setup(t, { context: { acceptDownloads: true } });
  const { page } = world;
  await signIn(page, world.base);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '下载本月民情日志' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  const bytes = await readFile(await download.path());
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an Excel workbook (a zip)');
  await page.getByRole('status').filter({ hasText: '已保存' }).waitFor();
  const [leader] = await world.query('SELECT id FROM users WHERE username = $1', [TOWNSHIP.leader.username]);
  const audited = await world.query(
    "SELECT entity_id FROM audit_log WHERE action = 'stats.export' AND actor_id = $1", [leader.id]);
  assert.deepEqual(audited.map((a) => a.entity_id), [leader.id], 'the export is audited on the leader');
});
