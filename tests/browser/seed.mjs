// The small township every browser test starts from, seeded once per run through the API (as
// a township's office would), then copied per test as a database template.
//
// 青山镇 (qingshan): grid 东风村 with micro-grids 第一微网格 (leader001, 12 households) and
// 第二微网格 (leader002, 3 households). Some of leader001's families were visited 2 days ago
// (not due), some 10 days ago (due), the rest never; 王建华 has an open issue.

import { spawn } from 'node:child_process';
import { Api, JWT_SECRET, Server, TOWNSHIP } from './harness.mjs';

const PLATFORM = { username: 'root', password: 'root-pass-2026' };

export const HOUSEHOLDS_1 = [
  // name, address, phone, days since the last visit (null: never)
  ['王建华', '东风村1组3号', '13812345678', 10],
  ['李桂兰', '东风村1组5号', '13912345601', 2],
  ['张德明', '东风村1组8号', null, null],
  ['陈秀珍', '东风村2组1号', '13712345602', 12],
  ['刘国强', '东风村2组4号', '0573-85123456', null],
  ['赵玉梅', '东风村2组9号', null, 2],
  ['孙志刚', '东风村3组2号', '13612345603', null],
  ['周淑芬', '东风村3组6号', null, 20],
  ['吴海涛', '东风村3组7号', '13512345604', 2],
  ['郑美华', '东风村4组1号', null, null],
  ['冯建军', '东风村4组3号', '15812345605', 8],
  ['何丽娟', '东风村4组5号', null, null],
];

export const HOUSEHOLDS_2 = [
  ['钱永福', '东风村5组1号', null],
  ['沈月英', '东风村5组2号', null],
  ['韩志明', '东风村5组3号', null],
];

function run(bin, args, env, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${args[0]}: ${output}`))));
    child.stdin.end(input || '');
  });
}

function daysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString();
}

export async function seed(databaseUrl, env) {
  await run(process.env.LIANXIN_BIN, ['create-platform-admin', '--username', PLATFORM.username],
    { DATABASE_URL: databaseUrl, LIANXIN_JWT_SECRET: JWT_SECRET, ...env }, `${PLATFORM.password}\n`);
  const server = await new Server(databaseUrl).start();
  try {
    const root = new Api(server.base);
    await root.login(null, PLATFORM);
    await root.post('/tenants', {
      code: TOWNSHIP.code,
      name: '青山镇',
      timezone: 'Asia/Shanghai',
      visit_interval_days: 7,
      admin: { username: TOWNSHIP.admin.username, display_name: '王主任', password: TOWNSHIP.admin.password },
    });
    const admin = new Api(server.base);
    await admin.login(TOWNSHIP.code, TOWNSHIP.admin);
    const leader1 = await admin.post('/users', {
      username: TOWNSHIP.leader.username, display_name: '张建国', role: 'leader',
      password: TOWNSHIP.leader.password, phone: '13800001111',
    });
    const leader2 = await admin.post('/users', {
      username: TOWNSHIP.leader2.username, display_name: '李秀英', role: 'leader',
      password: TOWNSHIP.leader2.password,
    });
    const grid = await admin.post('/grids', { name: '东风村', kind: 'village' });
    const mg1 = await admin.post(`/grids/${grid.id}/micro-grids`, { name: '第一微网格', group_name: '东风一组群' });
    const mg2 = await admin.post(`/grids/${grid.id}/micro-grids`, { name: '第二微网格', group_name: '东风五组群' });
    await admin.call('PUT', `/micro-grids/${mg1.id}/leader`, { user_id: leader1.id });
    await admin.call('PUT', `/micro-grids/${mg2.id}/leader`, { user_id: leader2.id });

    const leader = new Api(server.base);
    await leader.login(TOWNSHIP.code, TOWNSHIP.leader);
    for (const [name, address, phone, days] of HOUSEHOLDS_1) {
      const household = await admin.post('/households', {
        micro_grid_id: mg1.id, kind: 'village', name, address, members: 3,
        ...(phone ? { phone } : {}),
      });
      if (days !== null) {
        await leader.post('/visits', {
          household_id: household.id, visited_at: daysAgo(days), method: 'door',
          summary: `${days}天前上门走访，家中一切正常。`, acquainted: true,
        });
      }
      if (name === '王建华') {
        await leader.post('/issues', {
          household_id: household.id, category: 'road', description: '村口道路坑洼，雨天积水，希望修补。',
        });
      }
    }
    for (const [name, address] of HOUSEHOLDS_2) {
      await admin.post('/households', { micro_grid_id: mg2.id, kind: 'village', name, address, members: 2 });
    }
    return { grid, mg1, mg2, leader1, leader2 };
  } finally {
    await server.stop();
  }
}
