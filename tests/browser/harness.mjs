// The browser tests' harness: every test gets its own database (a copy of a template that
// run.mjs migrated and seeded once), its own running `lianxin serve`, and a fresh Chromium
// context. Tests drive the page and then check what the server stored, through the API or
// straight in the database.
//
// Environment (set by run.mjs): LIANXIN_BIN (the binary), LIANXIN_TEST_ADMIN_URL (a
// PostgreSQL URL to the server's `postgres` database), LIANXIN_BROWSER_TEMPLATE (the seeded
// template's name).

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium } from 'playwright-core';

export { chromium };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');
export const JWT_SECRET = 'browser-test-secret-browser-test-secret-0123';
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--lang=zh-CN', // the browser's own formats (date inputs) in Chinese
];
/** A phone: what the leaders hold. */
export const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
/** Where the leaders are: Chinese, in China's time zone. */
export const PLACE = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

// What run.mjs seeded into the template (see seed.mjs).
export const TOWNSHIP = {
  code: 'qingshan',
  admin: { username: 'admin', password: 'admin-pass-2026' },
  leader: { username: 'leader001', password: 'leader-pass-2026' },
  leader2: { username: 'leader002', password: 'leader-pass-2026' },
};

export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function sql(url, text, params = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** A `lianxin serve` on `databaseUrl`; `port` 0 picks a free one. */
export class Server {
  constructor(databaseUrl, { env = {} } = {}) {
    this.databaseUrl = databaseUrl;
    this.env = env;
    this.port = 0;
    this.child = null;
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    const child = spawn(process.env.LIANXIN_BIN, ['serve', '--bind', `127.0.0.1:${this.port}`], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: this.databaseUrl,
        LIANXIN_JWT_SECRET: JWT_SECRET,
        LIANXIN_POOL_SIZE: '4',
        RUST_LOG: 'warn',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let errors = '';
    child.stderr.on('data', (d) => {
      errors += d;
    });
    this.port = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`lianxin did not start: ${errors}`)), 30_000);
      child.stdout.on('data', (d) => {
        out += d;
        const found = /serving on http:\/\/[^:]+:(\d+)\//.exec(out);
        if (found) {
          clearTimeout(timer);
          resolve(Number(found[1]));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`lianxin exited (${code}): ${errors}`));
      });
    });
    child.removeAllListeners('exit');
    return this;
  }

  /** Stops the server (SIGTERM, then SIGKILL); the port is kept for a restart. */
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }
}

/** A JSON client of the API as one user. */
export class Api {
  constructor(base) {
    this.base = base;
    this.token = null;
  }

  async call(method, urlPath, body, { token = this.token } = {}) {
    const response = await fetch(`${this.base}/api/v1${urlPath}`, {
      method,
      headers: {
        'Content-Type': 'application/json',
        'Accept-Language': 'zh-CN',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const error = new Error(`${method} ${urlPath}: ${response.status} ${text}`);
      error.status = response.status;
      error.body = json;
      throw error;
    }
    return json;
  }

  async login(tenant, { username, password }) {
    const answer = await this.call('POST', '/auth/login', { tenant, username, password });
    this.token = answer.access_token;
    return answer;
  }

  get(urlPath) {
    return this.call('GET', urlPath);
  }

  post(urlPath, body) {
    return this.call('POST', urlPath, body);
  }
}

let browser = null;

async function sharedBrowser() {
  if (!browser) {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }
  return browser;
}

/**
 * A test's world: its database, its server, a phone-sized browser context.
 * `t.after` (node:test) tears it down.
 */
export async function setup(t, { env = {}, context: contextOptions = {} } = {}) {
  const admin = process.env.LIANXIN_TEST_ADMIN_URL;
  const template = process.env.LIANXIN_BROWSER_TEMPLATE;
  const name = `lianxin_browser_${randomUUID().replaceAll('-', '')}`;
  await sql(admin, `CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
  const databaseUrl = withDatabase(admin, name);
  const server = await new Server(databaseUrl, { env }).start();
  const context = await (await sharedBrowser()).newContext({ ...PHONE, ...PLACE, ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  const world = {
    server,
    context,
    page,
    problems,
    databaseUrl,
    get base() {
      return server.base;
    },
    /** Rows of this test's database, as the server stored them. */
    query: (text, params) => sql(databaseUrl, text, params),
    /** An API client signed in as `who` (TOWNSHIP.admin by default). */
    async api(who = TOWNSHIP.admin) {
      const api = new Api(server.base);
      await api.login(TOWNSHIP.code, who);
      return api;
    },
    /** The households the template holds, by name. */
    async household(householdName) {
      const [row] = await sql(databaseUrl, 'SELECT * FROM households WHERE name = $1', [householdName]);
      return row;
    },
    async screenshot(file) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, file) });
    },
  };
  t.after(async () => {
    await context.close().catch(() => {});
    await server.stop();
    await sql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  });
  return world;
}

/** Closes the shared browser once a test file is done (node:test `after`). */
export async function closeBrowser() {
  if (browser) await browser.close();
  browser = null;
}

/**
 * A proxy in front of `server` that can hand out a new build of the phone app: while
 * `proxy.newBuild` is set, the service worker's script differs (as after a deploy).
 */
export async function startProxy(server) {
  const http = await import('node:http');
  // `bytes` counts what went to the browser: bodies as sent (compressed) and headers.
  const proxy = { newBuild: false, port: 0, server: null, bytes: 0, requests: 0 };
  proxy.server = http.createServer((request, response) => {
    const headers = { ...request.headers, host: `127.0.0.1:${server.port}` };
    const rewrite = proxy.newBuild && request.url.startsWith('/app/sw.js');
    if (rewrite) {
      delete headers['if-none-match'];
      delete headers['accept-encoding'];
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: server.port, path: request.url, method: request.method, headers },
      (answer) => {
        proxy.requests += 1;
        proxy.bytes += 16 + answer.rawHeaders.reduce((sum, h) => sum + Buffer.byteLength(h) + 2, 0);
        if (!rewrite) {
          response.writeHead(answer.statusCode, answer.headers);
          answer.on('data', (chunk) => { proxy.bytes += chunk.length; });
          answer.pipe(response);
          return;
        }
        const chunks = [];
        answer.on('data', (c) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat([Buffer.concat(chunks), Buffer.from('\n// the next build\n')]);
          const out = { ...answer.headers, 'content-length': String(body.length) };
          delete out.etag;
          response.writeHead(answer.statusCode, out);
          response.end(body);
        });
      },
    );
    upstream.on('error', () => { response.writeHead(502); response.end(); });
    request.pipe(upstream);
  });
  await new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxy.port = proxy.server.address().port;
  proxy.base = `http://127.0.0.1:${proxy.port}`;
  proxy.close = () => new Promise((resolve) => proxy.server.close(resolve));
  return proxy;
}
