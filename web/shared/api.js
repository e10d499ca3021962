// The API client both web clients use: the session in localStorage, Chinese error texts
// (Accept-Language: zh-CN), and a token refresh that is safe across tabs.
//
// Refresh tokens are single use and a reuse revokes the whole chain, so two tabs must never
// refresh at once: the refresh runs under a Web Lock, and a tab that waited for the lock first
// looks whether the other tab already stored a new pair. The new pair is stored before it is
// used, so a crash between the two cannot leave a spent token behind.
//
// Chromium hands localStorage writes to other tabs asynchronously, so a tab that gets the lock
// right after another released it may still read the old pair there. Under the lock the pair
// is therefore read from and written to IndexedDB too, which every tab sees at once once a
// write has committed; localStorage stays the quick synchronous copy for everything else.

const BASE = '/api/v1';
const TIMEOUT_MS = 30_000;

export class ApiError extends Error {
  constructor({ status, code, message, fields = null, retryAfter = null, body = null }) {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status; // 0 = no network (or no answer in time)
    this.code = code;
    this.fields = fields;
    this.retryAfter = retryAfter; // seconds, on 429
    this.body = body; // the whole error body (an import's rows, for example)
  }
}

// The pair kept under the refresh lock: one record per session key in a tiny database.
function lockedPairs() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('lianxin.session', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('pairs');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function lockedPair(key, pair) {
  const db = await lockedPairs();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction('pairs', pair === undefined ? 'readonly' : 'readwrite');
      const pairs = tx.objectStore('pairs');
      let found = null;
      if (pair === undefined) {
        const request = pairs.get(key);
        request.onsuccess = () => { found = request.result || null; };
      } else if (pair === null) pairs.delete(key);
      else pairs.put(pair, key);
      tx.oncomplete = () => resolve(found);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export function createApi({ sessionKey }) {
  const signedOutListeners = new Set();

  function readSession() {
    try {
      return JSON.parse(localStorage.getItem(sessionKey)) || null;
    } catch {
      return null;
    }
  }

  function writeSession(session) {
    if (session) localStorage.setItem(sessionKey, JSON.stringify(session));
    else {
      localStorage.removeItem(sessionKey);
      lockedPair(sessionKey, null).catch(() => {});
    }
  }

  function signedOut() {
    writeSession(null);
    for (const listener of signedOutListeners) listener();
  }

  // One fetch: JSON in, parsed JSON (or the raw Response when `raw`) out, ApiError otherwise.
  async function send(method, path, { query, body, signal, token, raw, form } = {}) {
    const url = new URL(BASE + path, location.origin);
    for (const [key, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
    }
    const headers = { 'Accept-Language': 'zh-CN', Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let payload;
    if (form) payload = form;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const timeout = AbortSignal.timeout(TIMEOUT_MS);
    const signals = signal && AbortSignal.any ? AbortSignal.any([signal, timeout]) : signal || timeout;
    let response;
    try {
      response = await fetch(url, { method, headers, body: payload, signal: signals });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError({ status: 0, code: 'network', message: '' });
    }
    if (response.ok) {
      if (raw) return response;
      if (response.status === 204) return null;
      const text = await response.text();
      return text ? JSON.parse(text) : null;
    }
    let error = {};
    let errorBody = null;
    try {
      errorBody = await response.json();
      error = errorBody?.error || {};
    } catch {
      // A proxy's HTML page, for example: the status says enough.
    }
    const retry = Number.parseInt(response.headers.get('Retry-After') || '', 10);
    throw new ApiError({
      status: response.status,
      code: error.code || 'http',
      message: error.message || '',
      fields: error.fields || null,
      retryAfter: Number.isFinite(retry) ? retry : null,
      body: errorBody,
    });
  }

  // Refreshes the pair unless another tab did while we waited; returns the access token to use.
  async function refresh(spentAccess) {
    const run = async () => {
      let current = readSession();
      if (!current) throw new ApiError({ status: 401, code: 'unauthenticated', message: '' });
      const locked = await lockedPair(sessionKey).catch(() => null);
      if (locked && locked.spent === current.access_token) {
        // Another tab refreshed and this tab's localStorage has not heard of it yet.
        current = { ...current, access_token: locked.access_token, refresh_token: locked.refresh_token };
        writeSession(current);
      }
      if (current.access_token !== spentAccess) return current.access_token;
      let pair;
      try {
        pair = await send('POST', '/auth/refresh', { body: { refresh_token: current.refresh_token } });
      } catch (error) {
        if (error.status === 401) signedOut();
        throw error;
      }
      const renewed = { ...current, access_token: pair.access_token, refresh_token: pair.refresh_token };
      await lockedPair(sessionKey, {
        spent: current.access_token, access_token: pair.access_token, refresh_token: pair.refresh_token,
      }).catch(() => {});
      writeSession(renewed);
      return renewed.access_token;
    };
    if (navigator.locks) return navigator.locks.request('lianxin-refresh', run);
    return run();
  }

  // An authenticated call, refreshing once on 401.
  async function authed(method, path, options = {}) {
    const session = readSession();
    if (!session) throw new ApiError({ status: 401, code: 'unauthenticated', message: '' });
    try {
      return await send(method, path, { ...options, token: session.access_token });
    } catch (error) {
      if (error.status !== 401) throw error;
      const token = await refresh(session.access_token);
      try {
        return await send(method, path, { ...options, token });
      } catch (again) {
        if (again.status === 401) signedOut();
        throw again;
      }
    }
  }

  return {
    get session() {
      return readSession();
    },

    async login({ tenant, username, password }) {
      const answer = await send('POST', '/auth/login', {
        body: { tenant: tenant || null, username, password },
      });
      const session = {
        access_token: answer.access_token,
        refresh_token: answer.refresh_token,
        user: answer.user,
        tenant: null,
      };
      writeSession(session);
      try {
        const me = await send('GET', '/me', { token: session.access_token });
        session.user = { ...session.user, ...me, tenant: undefined };
        session.tenant = me.tenant || null;
        writeSession(session);
      } catch {
        // The sign-in itself worked; the township's settings come with the next /me.
      }
      return session;
    },

    // Stores what GET /me says about the user and the township (e.g. after an admin change).
    async reloadMe() {
      const me = await authed('GET', '/me');
      const session = readSession();
      if (session) {
        session.user = { ...session.user, ...me, tenant: undefined };
        session.tenant = me.tenant || null;
        writeSession(session);
      }
      return session;
    },

    async logout() {
      const session = readSession();
      writeSession(null);
      if (session) {
        try {
          await send('POST', '/auth/logout', { body: { refresh_token: session.refresh_token } });
        } catch {
          // Signed out on this device either way; the token expires on its own.
        }
      }
    },

    request(method, path, { query, body, signal } = {}) {
      return authed(method, path, { query, body, signal });
    },

    async download(path, query) {
      const response = await authed('GET', path, { query, raw: true });
      const blob = await response.blob();
      return { blob, filename: filenameOf(response.headers.get('Content-Disposition')) };
    },

    upload(path, formData) {
      return authed('POST', path, { form: formData });
    },

    onSignedOut(callback) {
      signedOutListeners.add(callback);
      return () => signedOutListeners.delete(callback);
    },
  };
}

// `attachment; filename="x.csv"; filename*=UTF-8''%E8%B5%B0.csv` → the best name given.
function filenameOf(disposition) {
  if (!disposition) return 'download';
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (encoded) {
    try {
      return decodeURIComponent(encoded[1].trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1].trim() : 'download';
}
