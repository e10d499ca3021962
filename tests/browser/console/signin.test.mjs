// Who lands where: a leader signing in at /console/ is sent to the phone app; each role sees
// its own navigation; the platform admin creates a township and its first admin.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, Api, TOWNSHIP } from '../harness.mjs';
import { assertAccessible, desk, navLinks, PLATFORM, signIn, signInAndWait, shot } from './console.mjs';

after(closeBrowser);

test('a leader signing in at the console lands in /app/', async (t) => {
  const world = await desk(t);
  await signIn(world, TOWNSHIP.leader);
  await world.page.waitForURL(`${world.base}/app/**`);
  assert.equal(new URL(world.page.url()).pathname, '/app/');
});

test('the township admin sees every page but 乡镇', async (t) => {
  const world = await desk(t);
  await world.page.goto(`${world.base}/console/`);
  await assertAccessible(world.page, 'sign-in');
  await signInAndWait(world);
  assert.deepEqual(await navLinks(world.page), ['概览', '网格', '住户', '人员', '诉求', '任务', '导入', '审计', '重点人群', '部门', '督办']);
});

test('the platform admin creates a township and its first admin, who can sign in', async (t) => {
  const world = await desk(t);
  const { page } = world;
  await signInAndWait(world, PLATFORM, { tenant: '' });
  assert.deepEqual(await navLinks(page), ['乡镇']);
  await page.getByLabel('乡镇代码').fill('liming');
  await page.getByLabel('乡镇名称').fill('黎明镇');
  await page.getByLabel('管理员用户名').fill('admin');
  await page.getByLabel('管理员姓名').fill('赵主任');
  await page.getByLabel('管理员密码').fill('liming-admin-2026');
  await page.getByRole('button', { name: '创建乡镇' }).click();
  await page.getByRole('status').filter({ hasText: '已创建黎明镇' }).waitFor();
  await page.getByRole('table', { name: '乡镇列表' }).getByText('黎明镇').waitFor();
  await assertAccessible(page, '乡镇');
  await shot(world, 'console-townships.png');
  const root = new Api(world.base);
  await root.login(null, PLATFORM);
  const tenants = await root.get('/tenants');
  const list = Array.isArray(tenants) ? tenants : tenants.items;
  assert.ok(list.some((x) => x.code === 'liming' && x.name === '黎明镇'));
  const api = new Api(world.base);
  const session = await api.login('liming', { username: 'admin', password: 'liming-admin-2026' });
  assert.equal(session.user.role, 'tenant_admin');
});
