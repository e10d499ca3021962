// 任务 (admins and supervisors): the tasks sent down to the leaders — what to do, by when, for
// which households — with each one's progress; 下发任务 sends a new one (task-form.js), and a
// task's title opens it (task-detail.js) at #tasks?id=…, so the back button returns to the list.

import { html, useState, useEffect, useRef } from '/shared/html.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Notice, Pager } from './ui.js';
import { TaskForm } from './task-form.js';
import { TaskDetail } from './task-detail.js';
import { stateName, repeatName, Progress } from './task-state.js';

const T = S.TASKS;
const PER_PAGE = 50;

const hashId = () => new URLSearchParams(location.hash.split('?')[1] || '').get('id');

export function Tasks({ api }) {
  const [openId, setOpenId] = useState(hashId());
  useEffect(() => {
    const onHash = () => setOpenId(hashId());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  // Between the list and a task the keyboard and a screen reader continue at the new heading.
  const shown = useRef(openId);
  useEffect(() => {
    if (shown.current !== openId) document.querySelector('main h1')?.focus();
    shown.current = openId;
  }, [openId]);

  return openId
    ? html`<${TaskDetail} key=${openId} api=${api} id=${openId} />`
    : html`<${TaskList} api=${api} />`;
}

function TaskList({ api }) {
  const [filter, setFilter] = useState({ closed: '', page: 1 });
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState('');
  const list = useLoad((signal) => {
    const query = { page: filter.page, per_page: PER_PAGE };
    if (filter.closed) query.closed = filter.closed;
    return api.request('GET', '/tasks', { query, signal });
  }, [filter.closed, filter.page]);
  const created = (task) => {
    setCreating(false);
    setNotice(T.sent(task.title, task.households));
    // The newest is first: show it whatever the filter was.
    if (filter.closed === '' && filter.page === 1) list.reload(); else setFilter({ closed: '', page: 1 });
  };

  return html`<section aria-busy=${list.loading ? 'true' : 'false'}>
    <h1 tabindex="-1">${T.heading}</h1>
    <div class="bar panel">
      <div class="field"><label for="tk-closed">${T.status}</label>
        <select id="tk-closed" value=${filter.closed} onChange=${(e) => setFilter({ closed: e.target.value, page: 1 })}>
          ${Object.entries(T.statusFilter).map(([v, label]) => html`<option key=${v} value=${v}>${label}</option>`)}
        </select></div>
      <button type="button" aria-expanded=${creating}
        onClick=${() => { setCreating(!creating); setNotice(''); }}>${T.create}</button>
    </div>
    <${Notice} text=${notice} />
    <${ErrorNote} error=${list.error} />
    <div class="columns">
      <div>
        ${list.loading && !list.data && html`<p>${S.LOADING}</p>`}
        ${list.data && (list.data.items.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
          <caption class="sr-only">${T.caption}</caption>
          <thead><tr>
            <th scope="col">${T.cols.title}</th><th scope="col">${T.cols.due}</th><th scope="col">${T.cols.repeat}</th>
            <th scope="col">${T.cols.progress}</th><th scope="col">${T.cols.status}</th>
          </tr></thead>
          <tbody>${list.data.items.map((task) => html`<tr key=${task.id}>
            <th scope="row"><a href=${`#tasks?id=${task.id}`}>${task.title}</a></th>
            <td>${task.due_on}</td>
            <td>${repeatName(task.repeat)}</td>
            <td><${Progress} done=${task.done} households=${task.households} /></td>
            <td class=${stateName(task) === T.state.overdue ? 'overdue' : ''}>${stateName(task)}</td>
          </tr>`)}</tbody>
        </table></div>` : html`<p>${T.none}</p>`)}
        ${list.data && html`<${Pager} page=${filter.page} perPage=${PER_PAGE} total=${list.data.total} onPage=${(page) => setFilter({ ...filter, page })} />`}
      </div>
      ${creating && html`<div><${TaskForm} api=${api} onCreated=${created} onCancel=${() => setCreating(false)} /></div>`}
    </div>
  </section>`;
}
