// Runs every browser test: `node tests/browser/run.mjs <path to lianxin> [test files…]`.
// `cargo test` runs it through tests/browser.rs, which also gives it a PostgreSQL server
// (LIANXIN_TEST_ADMIN_URL). Seeds the township once into a template, then runs the test
// files with node:test, each test on its own copy.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM, ROOT, sql, withDatabase } from './harness.mjs';
import { seed } from './seed.mjs';

const here = path.join(ROOT, 'tests/browser');

const bin = process.argv[2] || process.env.LIANXIN_BIN;
if (!bin || !existsSync(bin)) {
  console.error('usage: node tests/browser/run.mjs <path to the lianxin binary> [test files…]');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(
    `Chromium was not found at ${CHROMIUM}. The browser tests need it: ` +
      'apt-get install chromium fonts-wqy-zenhei (or set CHROMIUM to its path).',
  );
  process.exit(1);
}
process.env.LIANXIN_BIN = path.resolve(bin);
const admin = process.env.LIANXIN_TEST_ADMIN_URL || process.env.TEST_DATABASE_URL;
if (!admin) {
  console.error('LIANXIN_TEST_ADMIN_URL (a PostgreSQL URL) is not set: run the tests with `cargo test --test browser`.');
  process.exit(2);
}

function testFiles() {
  const chosen = process.argv.slice(3);
  if (chosen.length) return chosen.map((f) => path.resolve(f));
  const files = [];
  for (const folder of ['app', 'console']) {
    const dir = path.join(here, folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      if (file.endsWith('.test.mjs')) files.push(path.join(dir, file));
    }
  }
  return files;
}

const template = `lianxin_browser_tpl_${process.pid}_${Date.now()}`;
const started = Date.now();
await sql(admin, `CREATE DATABASE ${template}`);
let code = 1;
try {
  await seed(withDatabase(admin, template), {});
  console.error(`browser tests: township seeded in ${Date.now() - started} ms`);
  const files = testFiles();
  const concurrency = process.env.BROWSER_TEST_CONCURRENCY || '2';
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], {
      stdio: 'inherit',
      env: {
        ...process.env,
        LIANXIN_BIN: path.resolve(bin),
        LIANXIN_TEST_ADMIN_URL: admin,
        LIANXIN_BROWSER_TEMPLATE: template,
      },
    });
    child.on('exit', (status) => resolve(status ?? 1));
  });
} finally {
  await sql(admin, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => {});
}
process.exit(code);
