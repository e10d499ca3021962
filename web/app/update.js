// The service worker's side in the page: registers it, notices a new version waiting
// ("新版本可用") and applies it when asked (the app asks only when no form is open).

const listeners = new Set();
let waiting = null;

function announce(worker) {
  waiting = worker;
  listeners.forEach((l) => l(worker));
}

export function onUpdateReady(listener) {
  listeners.add(listener);
  if (waiting) listener(waiting);
  return () => listeners.delete(listener);
}

export async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  let registration;
  try {
    registration = await navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' });
  } catch (error) {
    console.warn('service worker not registered', error);
    return;
  }
  const watch = (worker) => {
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) announce(worker);
    });
  };
  if (registration.waiting && navigator.serviceWorker.controller) announce(registration.waiting);
  watch(registration.installing);
  registration.addEventListener('updatefound', () => watch(registration.installing));
  // Look for a new version when the app comes back to the front, and now and then.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') registration.update().catch(() => {});
  });
  setInterval(() => registration.update().catch(() => {}), 30 * 60_000);
}

// Activates the waiting version and reloads once it controls the page: on the page's
// controllerchange, or on the worker's own "activated" should that come first or alone (the
// page reloads once either way); at once if it took over already.
export function applyUpdate() {
  if (!waiting) return;
  const worker = waiting;
  let reloading = false;
  const reload = () => {
    if (reloading) return;
    reloading = true;
    location.reload();
  };
  if (worker.state === 'activated') {
    reload();
    return;
  }
  navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true });
  worker.addEventListener('statechange', () => { if (worker.state === 'activated') reload(); });
  worker.postMessage('skipWaiting');
}
