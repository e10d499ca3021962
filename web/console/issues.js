// 诉求: the township's issues filtered by status, category, department and lateness; on one
// issue (issue-panel.js) its history and the steps the caller's role may take. A handler sees
// only their department's issues (the API holds that).

import { html, useState } from '/shared/html.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Pager, time, readAll } from './ui.js';
import { directory } from './directory.js';
import { IssuePanel, Due, statusName, categoryName } from './issue-panel.js';
import { Reminders } from './reminders.js';

const I = S.ISSUES;
const STATUSES = ['open', 'escalated', 'assigned', 'accepted', 'done', 'resolved'];
const CATEGORIES = ['road', 'housing', 'land', 'welfare', 'other'];
const PER_PAGE = 50;

export function Issues({ api, session }) {
  const role = session?.user?.role;
  const blank = {
    status: '', category: '', department: '', overdue: false, dueSoon: false, extension: false, page: 1,
  };
  const [filter, setFilter] = useState(blank);
  const [openId, setOpenId] = useState(null);
  // Handlers may not list staff or grids; their panel shows no names of those.
  const dir = useLoad(() => (role === 'handler' ? Promise.resolve(null) : directory(api)), [role]);
  const deps = useLoad((signal) => readAll(api, '/departments', {}, signal), []);
  const list = useLoad((signal) => {
    const query = { page: filter.page, per_page: PER_PAGE };
    if (filter.status) query.status = filter.status;
    if (filter.category) query.category = filter.category;
    if (filter.department) query.department_id = filter.department;
    if (filter.overdue) query.overdue = true;
    if (filter.dueSoon) query.due_soon = true;
    if (filter.extension) query.extension_requested = true;
    return api.request('GET', '/issues', { query, signal });
  }, [filter.status, filter.category, filter.department, filter.overdue, filter.dueSoon, filter.extension, filter.page]);
  const set = (k) => (e) => setFilter({ ...filter, [k]: e.target.value, page: 1 });
  const departments = deps.data || [];
  const deptName = (id) => (id ? departments.find((d) => d.id === id)?.name || '' : S.NONE);

  return html`<section>
    <h1 tabindex="-1">${I.heading}</h1>
    <${Reminders} api=${api} role=${role} version=${list.data}
      onShow=${(only) => { setFilter({ ...blank, ...only }); setOpenId(null); }} />
    <form class="bar panel" onSubmit=${(e) => e.preventDefault()}>
      <div class="field"><label for="is-status">${I.status}</label>
        <select id="is-status" value=${filter.status} onChange=${set('status')}>
          <option value="">${S.ALL}</option>
          ${STATUSES.map((s) => html`<option key=${s} value=${s}>${statusName(s)}</option>`)}
        </select></div>
      <div class="field"><label for="is-category">${I.category}</label>
        <select id="is-category" value=${filter.category} onChange=${set('category')}>
          <option value="">${S.ALL}</option>
          ${CATEGORIES.map((c) => html`<option key=${c} value=${c}>${categoryName(c)}</option>`)}
        </select></div>
      ${role !== 'handler' && html`<div class="field"><label for="is-department">${I.department}</label>
        <select id="is-department" value=${filter.department} onChange=${set('department')}>
          <option value="">${S.ALL}</option>
          ${departments.map((d) => html`<option key=${d.id} value=${d.id}>${d.name}</option>`)}
        </select></div>`}
      <div class="field check"><input id="is-overdue" type="checkbox" checked=${filter.overdue}
          onChange=${(e) => setFilter({ ...filter, overdue: e.target.checked, page: 1 })} />
        <label for="is-overdue">${I.overdueOnly}</label></div>
      <div class="field check"><input id="is-due-soon" type="checkbox" checked=${filter.dueSoon}
          onChange=${(e) => setFilter({ ...filter, dueSoon: e.target.checked, page: 1 })} />
        <label for="is-due-soon">${I.dueSoonOnly}</label></div>
      ${role === 'tenant_admin' && html`<div class="field check"><input id="is-extension" type="checkbox" checked=${filter.extension}
          onChange=${(e) => setFilter({ ...filter, extension: e.target.checked, page: 1 })} />
        <label for="is-extension">${I.extensionOnly}</label></div>`}
    </form>
    <${ErrorNote} error=${list.error} />
    <div class="columns">
      <div>
        ${list.data && (list.data.items.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
          <caption class="sr-only">${I.caption}</caption>
          <thead><tr><th scope="col">${I.cols.raised}</th><th scope="col">${I.cols.category}</th>
            <th scope="col">${I.cols.description}</th><th scope="col">${I.cols.status}</th>
            <th scope="col">${I.cols.department}</th><th scope="col">${I.cols.due}</th></tr></thead>
          <tbody>${list.data.items.map((i) => html`<tr key=${i.id} class=${i.id === openId ? 'chosen' : ''}>
            <td>${time(i.raised_at)}</td><td>${categoryName(i.category)}</td>
            <th scope="row"><button type="button" class="link" aria-pressed=${i.id === openId} onClick=${() => setOpenId(i.id)}>${i.description}</button></th>
            <td>${statusName(i.status)}${i.extension_requested ? html`<br /><span class="tag">${I.extensionPending}</span>` : ''}</td>
            <td>${deptName(i.department_id)}</td>
            <td><${Due} issue=${i} /></td>
          </tr>`)}</tbody>
        </table></div>` : html`<p>${I.none}</p>`)}
        ${list.data && html`<${Pager} page=${filter.page} perPage=${PER_PAGE} total=${list.data.total} onPage=${(page) => setFilter({ ...filter, page })} />`}
      </div>
      ${openId && html`<${IssuePanel} key=${openId} api=${api} role=${role} dir=${dir.data} departments=${departments}
        id=${openId} onChanged=${() => list.reload()} />`}
    </div>
  </section>`;
}

