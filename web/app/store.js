// The phone's storage (IndexedDB), one database per user so that a shared phone keeps each
// leader's queue apart:
//   households  the leader's households with their newest visits and open issues (no ID
//               numbers: the sync endpoint never sends them), replaced or updated by each sync
//   queue       what the leader recorded: visits and issues, keyed by the UUID v7 made when
//               "保存" was pressed, with their state (pending, syncing, synced, attention)
//   meta        the sync cursor and the time of the last successful sync
// Every write is its own transaction, finished before the caller goes on: what the leader
// saved is on the phone before the form closes. A full phone (QuotaExceededError) is
// reported, never swallowed; a connection the browser closed is opened again.

const VERSION = 1;
const listeners = new Set();

export function onStorageProblem(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let troubled = false;

// A failure, or (null) a write that worked again after one.
function report(error) {
  if (!error && !troubled) return;
  troubled = Boolean(error);
  for (const listener of listeners) listener(error);
}

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function open(name) {
  const request = indexedDB.open(name, VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    db.createObjectStore('households', { keyPath: 'id' });
    db.createObjectStore('queue', { keyPath: 'id' });
    db.createObjectStore('meta', { keyPath: 'key' });
  };
  return promised(request);
}

export const UNSENT = new Set(['pending', 'syncing', 'attention']);

export function databaseName(session) {
  return `lianxin-${session.user.tenant_id}-${session.user.id}`;
}

export function openStore(name) {
  let connection = null;
  const channel = new BroadcastChannel(name);
  const changeListeners = new Set();
  channel.onmessage = () => changeListeners.forEach((l) => l());

  async function db() {
    if (!connection) {
      connection = await open(name);
      connection.onclose = () => { connection = null; };
      connection.onversionchange = () => { connection.close(); connection = null; };
    }
    return connection;
  }

  // Runs `work(stores)` in one transaction; resolves when it is committed.
  async function transaction(names, mode, work) {
    let database;
    try {
      database = await db();
    } catch (error) {
      report(error);
      throw error;
    }
    let tx;
    try {
      tx = database.transaction(names, mode);
    } catch (error) {
      // The browser closed the connection (iOS does): open it again once.
      connection = null;
      tx = (await db()).transaction(names, mode);
    }
    const stores = Object.fromEntries([].concat(names).map((n) => [n, tx.objectStore(n)]));
    const result = work(stores);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new DOMException('aborted', 'AbortError'));
    }).catch((error) => {
      report(error);
      throw error;
    });
    const value = await result;
    if (mode === 'readwrite') {
      report(null);
      channel.postMessage('changed');
      changeListeners.forEach((l) => l());
    }
    return value;
  }

  const read = (storeName, fn) => transaction(storeName, 'readonly', (s) => promised(fn(s[storeName])));

  return {
    name,

    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },

    households: () => read('households', (s) => s.getAll()),
    household: (id) => read('households', (s) => s.get(id)),
    queue: async () => (await read('queue', (s) => s.getAll())).sort((a, b) => a.id.localeCompare(b.id)),
    item: (id) => read('queue', (s) => s.get(id)),

    async meta(key) {
      const row = await read('meta', (s) => s.get(key));
      return row ? row.value : undefined;
    },

    setMeta: (key, value) => transaction('meta', 'readwrite', (s) => { s.meta.put({ key, value }); }),

    put: (item) => transaction('queue', 'readwrite', (s) => { s.queue.put(item); }),

    putMany: (items) => transaction('queue', 'readwrite', (s) => { items.forEach((i) => s.queue.put(i)); }),

    remove: (ids) => transaction('queue', 'readwrite', (s) => { ids.forEach((id) => s.queue.delete(id)); }),

    // A full answer replaces everything; a delta upserts and drops what left the scope.
    applySync: ({ full, ids, households, cursor, at }) => transaction(
      ['households', 'meta'], 'readwrite', (s) => {
        const keep = new Set(ids);
        if (full) s.households.clear();
        households.forEach((h) => s.households.put(h));
        if (!full) {
          const request = s.households.getAllKeys();
          request.onsuccess = () => request.result.filter((id) => !keep.has(id))
            .forEach((id) => s.households.delete(id));
        }
        s.meta.put({ key: 'cursor', value: cursor });
        s.meta.put({ key: 'lastSync', value: at });
      },
    ),

    // Sign-out: the user's households and sync state go; unsent items stay until sent.
    // Returns how many unsent items remain (0: the whole database was deleted).
    async forgetHouseholds() {
      const unsent = (await this.queue()).filter((i) => UNSENT.has(i.state));
      if (unsent.length === 0) {
        connection?.close();
        connection = null;
        channel.close();
        await promised(indexedDB.deleteDatabase(name)).catch(() => {});
        return 0;
      }
      await transaction(['households', 'meta', 'queue'], 'readwrite', (s) => {
        s.households.clear();
        s.meta.clear();
        const request = s.queue.getAll();
        request.onsuccess = () => request.result.filter((i) => !UNSENT.has(i.state))
          .forEach((i) => s.queue.delete(i.id));
      });
      connection?.close();
      connection = null;
      channel.close();
      return unsent.length;
    },

    close() {
      connection?.close();
      connection = null;
      channel.close();
    },
  };
}

// Asks the browser to keep this site's storage under pressure (CHT does the same).
export async function askPersistence() {
  try {
    if (navigator.storage?.persisted && (await navigator.storage.persisted())) return true;
    return (await navigator.storage?.persist?.()) ?? false;
  } catch {
    return false;
  }
}
