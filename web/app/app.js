// The signed-in app: opens this user's store, runs the sync loop, and shows the view the
// URL's #fragment names. Views are in ./views/, one per screen.
import { html, useCallback, useEffect, useMemo, useRef, useState } from '/shared/html.js';
import { askPersistence, databaseName, openStore } from './store.js';
import { counts, createSync } from './sync.js';
import { Notices } from './notices.js';
import { T } from './strings.js';
import { applyUpdate, onUpdateReady } from './update.js';
import { DueList } from './views/due-list.js';
import { Dossier } from './views/dossier.js';
import { VisitForm } from './views/visit-form.js';
import { IssueForm } from './views/issue-form.js';
import { Round } from './views/round.js';
import { Attention, FixItem } from './views/attention.js';
import { SyncBar } from './views/sync-bar.js';
import { SignOut } from './views/sign-out.js';
import { StatementDownload } from './views/statement.js';
import { TaskView } from './views/tasks.js';
import { withProgress } from './tasks.js';

// "#/h/<id>/visit" → { view: 'visit', id, task: null }
function parseRoute(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'all') return { view: 'all' };
  if (parts[0] === 'round') return { view: 'round' };
  if (parts[0] === 'attention' && parts[1]) return { view: 'fix', id: parts[1] };
  if (parts[0] === 'attention') return { view: 'attention' };
  if (parts[0] === 'task' && parts[1]) return { view: 'task', id: parts[1] };
  if (parts[0] === 'h' && parts[1]) {
    // "#/h/<id>/visit/<task>": the visit form opened from a task, linked to it.
    if (parts[2] === 'visit') return { view: 'visit', id: parts[1], task: parts[3] || null };
    if (parts[2] === 'issue') return { view: 'issue', id: parts[1] };
    return { view: 'dossier', id: parts[1] };
  }
  return { view: 'due' };
}

const FORMS = new Set(['visit', 'issue', 'round', 'fix']);

export function go(path) {
  location.hash = path;
}

export function App({ api, session, onSignedOut }) {
  const store = useMemo(() => openStore(databaseName(session)), [session.user.id]);
  const sync = useMemo(() => createSync({ api, store }), [store]);
  const [route, setRoute] = useState(parseRoute(location.hash));
  const [households, setHouseholds] = useState(null);
  const [queue, setQueue] = useState([]);
  const [lastSync, setLastSync] = useState(null);
  const [storedTasks, setStoredTasks] = useState([]);
  const [syncState, setSyncState] = useState(sync.state);
  const [update, setUpdate] = useState(null);
  const [flash, setFlash] = useState('');
  const tenant = api.session?.tenant || session.tenant;
  // One object while the township's settings stay the same, so the lists built from it are
  // not counted again at every render.
  const tagIntervals = JSON.stringify(tenant?.tag_intervals || []);
  const zone = useMemo(() => ({
    timeZone: tenant?.timezone || 'Asia/Shanghai',
    intervalDays: tenant?.visit_interval_days || 7,
    tagIntervals: Object.fromEntries(JSON.parse(tagIntervals).map((t) => [t.tag, t.visit_interval_days])),
  }), [tenant?.timezone, tenant?.visit_interval_days, tagIntervals]);

  const reload = useCallback(async () => {
    const [h, q, last, t] = await Promise.all([
      store.households(), store.queue(), store.meta('lastSync'), store.meta('tasks'),
    ]);
    setHouseholds(h);
    setQueue(q);
    setLastSync(last || null);
    setStoredTasks(t || []);
  }, [store]);

  useEffect(() => {
    reload();
    const offChange = store.onChange(reload);
    const offSync = sync.subscribe(setSyncState);
    const onHash = () => setRoute(parseRoute(location.hash));
    const onOnline = () => sync.online();
    const onVisible = () => {
      if (document.visibilityState === 'visible') sync.run('visible');
    };
    window.addEventListener('hashchange', onHash);
    window.addEventListener('online', onOnline);
    document.addEventListener('visibilitychange', onVisible);
    askPersistence();
    sync.run('start');
    return () => {
      offChange();
      offSync();
      sync.stop();
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('online', onOnline);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [store, sync]);

  useEffect(() => onUpdateReady(setUpdate), []);

  // Each view's title, and focus on its heading so a screen reader announces the change.
  const main = useRef(null);
  useEffect(() => {
    // Each view starts at the top, with the sync state and any notice in sight (a page that
    // does not scroll with the leader: at 200% text a fixed header would fill half the screen).
    window.scrollTo(0, 0);
    const heading = main.current?.querySelector('h1');
    if (heading && route.view !== 'due') heading.focus({ preventScroll: true });
    setFlash((f) => (route.view === 'dossier' || route.view === 'due' ? f : ''));
  }, [route.view, route.id]);

  // A saved message goes after a while.
  useEffect(() => {
    if (!flash) return undefined;
    const timer = setTimeout(() => setFlash(''), 6000);
    return () => clearTimeout(timer);
  }, [flash]);

  // Saved on the phone: show it, then try to send it at once.
  const saved = useCallback((message, back) => {
    setFlash(message);
    go(back);
    sync.run('save');
  }, [sync]);

  const tally = counts(queue);
  const formOpen = FORMS.has(route.view);
  const tasks = useMemo(() => withProgress(storedTasks, queue, zone.timeZone), [storedTasks, queue, zone.timeZone]);
  const common = { api, store, sync, session, zone, households, queue, tasks, saved, go, reload };

  let view;
  switch (route.view) {
    case 'dossier': view = html`<${Dossier} ...${common} id=${route.id} />`; break;
    case 'visit': view = html`<${VisitForm} ...${common} id=${route.id} task=${route.task} />`; break;
    case 'task': view = html`<${TaskView} ...${common} id=${route.id} />`; break;
    case 'issue': view = html`<${IssueForm} ...${common} id=${route.id} />`; break;
    case 'round': view = html`<${Round} ...${common} />`; break;
    case 'attention': view = html`<${Attention} ...${common} />`; break;
    case 'fix': view = html`<${FixItem} ...${common} id=${route.id} />`; break;
    case 'all': view = html`<${DueList} key="all" ...${common} all=${true} />`; break;
    default: view = html`<${DueList} key="due" ...${common} all=${false} />`;
  }

  return html`
    <div class="top">
      <${Notices} />
      ${update && html`
        <div class="notice update">
          <strong>${T.updateReady}</strong>
          ${formOpen
            ? html`<span>${T.updateAfterForm}</span>`
            : html`<button type="button" class="primary" onClick=${applyUpdate}>${T.updateApply}</button>`}
        </div>`}
      <${SyncBar} state=${syncState} tally=${tally} lastSync=${lastSync} zone=${zone}
        onSync=${() => sync.online()} />
      <div class="flash-area" aria-live="polite">${flash && html`<p class="flash">${flash}</p>`}</div>
    </div>
    <main id="main" ref=${main}>${view}</main>
    ${!formOpen && html`
      <footer class="footer">
        <span class="muted">${session.user.display_name}</span>
        ${session.user.role === 'leader' && html`<${StatementDownload} api=${api} />`}
        <${SignOut} api=${api} store=${store} sync=${sync} unsent=${tally.unsent}
          onSignedOut=${onSignedOut} />
      </footer>`}
  `;
}
