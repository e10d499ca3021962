// 审计 (township admins): every write and export, newest first, filtered by who (操作人),
// what kind (操作) and days.

import { html, useState } from '/shared/html.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Pager, time } from './ui.js';
import { directory, userName } from './directory.js';

const A = S.AUDIT;
const PER_PAGE = 50;

export function Audit({ api }) {
  const [filter, setFilter] = useState({ actor_id: '', action: '', from: '', to: '', page: 1 });
  const dir = useLoad(() => directory(api), []);
  const list = useLoad((signal) => {
    const query = { page: filter.page, per_page: PER_PAGE };
    for (const k of ['actor_id', 'action', 'from', 'to']) if (filter[k]) query[k] = filter[k];
    return api.request('GET', '/audit', { query, signal });
  }, [filter.actor_id, filter.action, filter.from, filter.to, filter.page]);
  const set = (k) => (e) => setFilter({ ...filter, [k]: e.target.value, page: 1 });
  const staff = dir.data ? [...dir.data.users.values()].sort((a, b) => a.display_name.localeCompare(b.display_name, 'zh-CN', { numeric: true })) : [];

  return html`<section>
    <h1 tabindex="-1">${A.heading}</h1>
    <form class="bar panel" onSubmit=${(e) => e.preventDefault()}>
      <div class="field"><label for="au-actor">${A.actor}</label>
        <select id="au-actor" value=${filter.actor_id} onChange=${set('actor_id')}>
          <option value="">${S.ALL}</option>
          ${staff.map((u) => html`<option key=${u.id} value=${u.id}>${u.display_name}（${u.username}）</option>`)}
        </select></div>
      <div class="field"><label for="au-action">${A.action}</label>
        <select id="au-action" value=${filter.action} onChange=${set('action')}>
          <option value="">${S.ALL}</option>
          ${Object.entries(A.actions).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
        </select></div>
      <div class="field"><label for="au-from">${A.from}</label>
        <input id="au-from" type="date" value=${filter.from} onChange=${set('from')} /></div>
      <div class="field"><label for="au-to">${A.to}</label>
        <input id="au-to" type="date" value=${filter.to} onChange=${set('to')} /></div>
    </form>
    <${ErrorNote} error=${list.error} />
    ${list.data && (list.data.items.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
      <caption class="sr-only">${A.caption}</caption>
      <thead><tr>${Object.values(A.cols).map((c) => html`<th scope="col" key=${c}>${c}</th>`)}</tr></thead>
      <tbody>${list.data.items.map((e, i) => html`<tr key=${i}>
        <th scope="row">${time(e.at)}</th>
        <td>${e.actor_id ? (dir.data && userName(dir.data, e.actor_id)) || e.actor_id : A.system}</td>
        <td>${A.actions[e.action] ?? e.action}</td>
        <td>${e.entity}${e.entity_id ? html` <small>${e.entity_id}</small>` : ''}</td>
        <td>${e.ip || S.NONE}</td>
      </tr>`)}</tbody>
    </table></div>` : html`<p>${A.none}</p>`)}
    ${list.data && html`<${Pager} page=${filter.page} perPage=${PER_PAGE} total=${list.data.total} onPage=${(page) => setFilter({ ...filter, page })} />`}
  </section>`;
}
