// The phone app's service worker. The server writes VERSION (a hash of the shell's files) and
// SHELL (their URLs) in front of this file, so every new build is a new worker.
//
// It keeps the app shell only: pages, scripts, styles, icons. Never /api/: the leader's data
// lives in IndexedDB, and API calls must reach the server or fail (the queue retries).
// A new version installs beside the old one and waits; the page offers "新版本可用" and asks
// it to take over (skipWaiting) only when no form is open.

/* global VERSION, SHELL */
const CACHE = `lianxin-app-${VERSION}`;

self.addEventListener('install', (event) => {
  // Each file revalidated with the server (its ETag): this version's files, without fetching
  // again what the page has just loaded.
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'no-cache' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('lianxin-app-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'skipWaiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;
  if (event.request.mode === 'navigate' && url.pathname.startsWith('/app/')) {
    // Every page of the app is the one shell (views are in the URL's #fragment).
    event.respondWith(fromCache('/app/', event.request));
    return;
  }
  if (SHELL.includes(url.pathname)) event.respondWith(fromCache(url.pathname, event.request));
});

let opened = null;

async function fromCache(key, request) {
  opened ||= caches.open(CACHE);
  const cache = await opened;
  const hit = await cache.match(key);
  if (hit) return hit;
  return fetch(request);
}
