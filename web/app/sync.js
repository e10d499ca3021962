// The sync loop: sends the queue, then fetches what changed (and the leader's open tasks) ("Syncing from a phone" in
// docs/api-guide.md is the protocol). One sync at a time, across tabs too (a Web Lock per
// user); a tab that finds the lock taken leaves the work to the tab holding it and hears of
// the result through the store's change events.
//
// Answers, item by item: 201/200 synced; 404/409/422 "需处理" with the leader's text kept
// (a 422 can be fixed and re-sent under the same id); 413 halves the batch; 429, 503, 5xx
// and no network keep the items queued and retry with exponential backoff and jitter.
// A 401 is the API client's: it refreshes under its own lock and retries once.

import { UNSENT } from './store.js';
import { fetchTasks } from './tasks.js';

const FIRST_BATCH = 100;
const MAX_BATCH = 500;
const EVERY_MS = 5 * 60_000;
const MAX_BACKOFF_S = 300;
// Synced items stay listed ("已同步") until the server's own data shows them, or this long.
const KEEP_SYNCED_MS = 24 * 3600_000;

const REFUSED = new Set([400, 404, 409, 422]);

function transient(error) {
  return error.status === 0 || error.status === 429 || error.status >= 500 || error.name === 'TimeoutError';
}

function refusal(status, error) {
  return {
    status,
    code: error?.code || '',
    message: error?.message || '',
    fields: error?.fields || null,
  };
}

export function createSync({ api, store }) {
  const listeners = new Set();
  let state = { running: false, problem: null, retryAt: null };
  let batchSize = FIRST_BATCH;
  let failures = 0;
  let timer = null;
  let stopped = false;

  function publish(change) {
    state = { ...state, ...change };
    listeners.forEach((l) => l(state));
  }

  function schedule(ms) {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => run('timer'), ms);
  }

  async function sendVisits(items) {
    const visits = items.filter((i) => i.kind === 'visit' && (i.state === 'pending' || i.state === 'syncing'));
    let start = 0;
    while (start < visits.length) {
      const chunk = visits.slice(start, start + batchSize);
      await store.putMany(chunk.map((i) => ({ ...i, state: 'syncing' })));
      let answer;
      try {
        answer = await api.request('POST', '/visits/batch', { body: { visits: chunk.map((i) => i.body) } });
      } catch (error) {
        if (error.status === 413 && chunk.length > 1) {
          batchSize = Math.max(1, Math.ceil(chunk.length / 2));
          continue;
        }
        await store.putMany(chunk.map((i) => ({ ...i, state: 'pending' })));
        throw error;
      }
      const results = new Map(answer.results.map((r) => [r.id, r]));
      const now = new Date().toISOString();
      await store.putMany(chunk.map((item) => {
        const result = results.get(item.id);
        if (!result) return { ...item, state: 'pending' };
        if (result.status === 200 || result.status === 201) {
          return { ...item, state: 'synced', error: null, answeredAt: now };
        }
        if (REFUSED.has(result.status)) {
          return { ...item, state: 'attention', error: refusal(result.status, result.error), answeredAt: now };
        }
        return { ...item, state: 'pending' };
      }));
      start += chunk.length;
      batchSize = Math.min(MAX_BATCH, batchSize);
    }
  }

  async function sendIssues(items) {
    const byId = new Map(items.map((i) => [i.id, i]));
    const issues = items.filter((i) => i.kind === 'issue' && (i.state === 'pending' || i.state === 'syncing'));
    for (const issue of issues) {
      // An issue goes after the visit it follows (the server needs that visit stored).
      const visit = issue.body.visit_id ? byId.get(issue.body.visit_id) : null;
      let { body } = issue;
      if (visit) {
        const current = await store.item(visit.id);
        if (current?.state === 'attention') {
          // The visit was refused: the issue stands on its own (the resident still asked).
          const { visit_id: _refused, ...alone } = body;
          body = alone;
        } else if (current && current.state !== 'synced') continue;
      }
      await store.put({ ...issue, body, state: 'syncing' });
      try {
        await api.request('POST', '/issues', { body });
        await store.put({ ...issue, body, state: 'synced', error: null, answeredAt: new Date().toISOString() });
      } catch (error) {
        if (REFUSED.has(error.status)) {
          await store.put({
            ...issue, body, state: 'attention', error: refusal(error.status, error), answeredAt: new Date().toISOString(),
          });
        } else {
          await store.put({ ...issue, body, state: 'pending' });
          throw error;
        }
      }
    }
  }

  async function fetchHouseholds() {
    const since = await store.meta('cursor');
    // The app ships in the same binary as the API, so the sync endpoint is always there.
    const answer = await api.request('GET', '/sync/households', { query: since ? { since } : {} });
    await store.applySync({ ...answer, at: new Date().toISOString() });
    // Synced items the server's data now shows (or old enough) leave the list.
    const shown = new Set();
    for (const household of await store.households()) {
      (household.recent_visits || []).forEach((v) => shown.add(v.id));
      (household.open_issues || []).forEach((i) => shown.add(i.id));
    }
    const cutoff = Date.now() - KEEP_SYNCED_MS;
    const done = (await store.queue()).filter((i) => i.state === 'synced'
      && (shown.has(i.id) || new Date(i.answeredAt).getTime() < cutoff));
    if (done.length) await store.remove(done.map((i) => i.id));
  }

  async function once(reason) {
    publish({ running: true });
    try {
      if (reason === 'start' || !api.session?.tenant) await api.reloadMe().catch(() => {});
      await sendVisits(await store.queue());
      await sendIssues(await store.queue());
      await fetchHouseholds();
      await store.setMeta('tasks', await fetchTasks(api).catch((error) => {
        // A role without tasks (403) has none to keep; anything else is the sync's failure.
        if (error.status === 403) return [];
        throw error;
      }));
      failures = 0;
      publish({ running: false, problem: null, retryAt: null });
      schedule(EVERY_MS);
    } catch (error) {
      if (error.status === 401) {
        // Signed out for good (the API client said so); the queue stays for the next sign-in.
        publish({ running: false, problem: 'signedOut', retryAt: null });
        return;
      }
      if (!transient(error)) {
        console.error('sync failed', error);
      }
      failures += 1;
      const backoff = Math.min(MAX_BACKOFF_S, 2 ** (failures - 1));
      const jittered = backoff * (0.5 + Math.random());
      const seconds = Math.max(jittered, error.retryAfter || 0);
      publish({
        running: false,
        problem: error.status === 0 ? 'offline' : 'retry',
        retryAt: Date.now() + seconds * 1000,
      });
      schedule(seconds * 1000);
    }
  }

  async function run(reason = 'manual') {
    if (stopped || !api.session) return 'stopped';
    if (!navigator.locks) return state.running ? 'busy' : once(reason);
    return navigator.locks.request(`lianxin-sync-${store.name}`, { ifAvailable: true }, async (lock) => {
      if (!lock) return 'busy';
      await once(reason);
      return 'done';
    });
  }

  return {
    run,
    get state() {
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // The network is back: no reason to wait out the backoff.
    online() {
      failures = 0;
      return run('online');
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export function counts(items) {
  let pending = 0;
  let attention = 0;
  for (const item of items) {
    if (item.state === 'attention') attention += 1;
    else if (UNSENT.has(item.state)) pending += 1;
  }
  return { pending, attention, unsent: pending + attention };
}
