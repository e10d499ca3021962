// One task: what to do and by when, how far each micro-grid has got (with its grid's subtotal),
// the households not yet done, and 关闭任务. Rows are in the server's order, by grid and
// micro-grid name: this shows where to help, it does not rank the leaders.

import { html, useState } from '/shared/html.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Notice, Pager, count, time } from './ui.js';
import { directory, userName } from './directory.js';
import { stateName, repeatName, Progress, rate } from './task-state.js';

const T = S.TASKS;
const PER_PAGE = 50;

export function TaskDetail({ api, id }) {
  const detail = useLoad((signal) => api.request('GET', `/tasks/${id}`, { signal }), [id]);
  const dir = useLoad(() => directory(api), []);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState(null);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const task = detail.data;

  const close = async () => {
    setBusy(true);
    setError(null);
    try {
      const closed = await api.request('POST', `/tasks/${id}/close`, { body: {} });
      setNotice(T.closed(closed.title));
    } catch (err) {
      setError(err.status === 409 ? new Error(T.alreadyClosed) : err);
    } finally {
      setBusy(false);
      setAsking(false);
      detail.reload();
    }
  };

  return html`<section class="task" aria-busy=${detail.loading ? 'true' : 'false'}>
    <p class="back"><a href="#tasks"><span aria-hidden="true">← </span>${T.back}</a></p>
    <h1 tabindex="-1">${task ? task.title : T.heading}</h1>
    <${Notice} text=${notice} />
    <${ErrorNote} error=${detail.error || error} />
    ${detail.loading && !task && html`<p>${S.LOADING}</p>`}
    ${task && html`
      <${Facts} task=${task} dir=${dir.data} />
      ${!task.closed && html`<div class="actions">
        <button type="button" aria-expanded=${asking} disabled=${busy} onClick=${() => setAsking(!asking)}>${T.close}</button>
      </div>`}
      ${!task.closed && asking && html`<div class="preview" role="group" aria-label=${T.close}>
        <p>${T.closeAsk}</p>
        <div class="actions">
          <button type="button" disabled=${busy} onClick=${close}>${S.CONFIRM}</button>
          <button type="button" class="quiet" onClick=${() => setAsking(false)}>${S.CANCEL}</button>
        </div>
      </div>`}
      <h2>${T.progressCaption}</h2>
      <p class="help">${T.progressNote}</p>
      <${ProgressTable} rows=${task.progress || []} />
      <h2>${T.leaderCaption}</h2>
      <p class="help">${T.leaderNote}</p>
      <${LeaderTable} rows=${task.progress || []} />
      <${Pending} api=${api} id=${id} progress=${task.progress || []} />`}
  </section>`;
}

function Facts({ task, dir }) {
  const names = (ids, map) => ids.map((i) => map?.get(i)?.name).filter(Boolean);
  const scope = [...names(task.grid_ids || [], dir?.grids), ...names(task.micro_grid_ids || [], dir?.microGrids)];
  const late = stateName(task) === T.state.overdue;
  const F = T.facts;
  return html`<dl class="facts">
    <dt>${F.description}</dt><dd class="text">${task.description || S.NONE}</dd>
    <dt>${F.due}</dt><dd>${late ? html`<span class="overdue">${task.due_on}（${T.state.overdue}）</span>` : task.due_on}</dd>
    <dt>${F.repeat}</dt><dd>${repeatName(task.repeat)}</dd>
    ${task.round_start && html`<dt>${F.roundStart}</dt><dd>${task.round_start}</dd>`}
    <dt>${F.scope}</dt><dd>${(task.grid_ids || []).length + (task.micro_grid_ids || []).length === 0 ? T.wholeTownship : scope.join('、') || S.NONE}</dd>
    <dt>${F.tags}</dt><dd>${(task.tags || []).length ? task.tags.join('、') : T.allHouseholds}</dd>
    <dt>${F.progress}</dt><dd><${Progress} done=${task.done} households=${task.households} /></dd>
    <dt>${F.status}</dt><dd>${stateName(task)}</dd>
    <dt>${F.created}</dt><dd>${time(task.created_at)}${dir && userName(dir, task.created_by) ? `（${F.createdBy}：${userName(dir, task.created_by)}）` : ''}</dd>
  </dl>`;
}

/** Micro-grid rows, each grid closed by its subtotal, and the township's total at the foot. */
function ProgressTable({ rows }) {
  const groups = [];
  for (const r of rows) {
    const last = groups[groups.length - 1];
    if (last && last.grid_id === r.grid_id) last.rows.push(r);
    else groups.push({ grid_id: r.grid_id, grid_name: r.grid_name, rows: [r] });
  }
  const sum = (list, k) => list.reduce((n, r) => n + r[k], 0);
  const C = T.progressCols;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${T.progressCaption}><table class="task-progress">
    <caption class="sr-only">${T.progressCaption}</caption>
    <thead><tr>
      <th scope="col">${C.grid}</th><th scope="col">${C.microGrid}</th><th scope="col">${C.leader}</th>
      <th scope="col" class="num">${C.households}</th><th scope="col" class="num">${C.done}</th><th scope="col" class="num">${C.rate}</th>
    </tr></thead>
    <tbody>${groups.map((g) => html`
      ${g.rows.map((r) => html`<tr key=${r.micro_grid_id}>
        <td>${r.grid_name}</td><th scope="row">${r.micro_grid_name}</th><td>${r.leader_name || T.noLeader}</td>
        <td class="num">${count(r.households)}</td><td class="num">${count(r.done)}</td><td class="num">${rate(r.done, r.households)}</td>
      </tr>`)}
      <tr key=${`${g.grid_id}-sum`} class="subtotal">
        <td>${g.grid_name}</td><th scope="row">${T.subtotal}</th><td></td>
        <td class="num">${count(sum(g.rows, 'households'))}</td><td class="num">${count(sum(g.rows, 'done'))}</td>
        <td class="num">${rate(sum(g.rows, 'done'), sum(g.rows, 'households'))}</td>
      </tr>`)}</tbody>
    ${groups.length > 1 && html`<tfoot><tr class="subtotal">
      <th scope="row" colspan="3">${T.total}</th>
      <td class="num">${count(sum(rows, 'households'))}</td><td class="num">${count(sum(rows, 'done'))}</td>
      <td class="num">${rate(sum(rows, 'done'), sum(rows, 'households'))}</td>
    </tr></tfoot>`}
  </table></div>`;
}

/** The same rows summed per leader (a leader may lead several micro-grids), by name. */
function LeaderTable({ rows }) {
  const byLeader = new Map();
  for (const r of rows) {
    const key = r.leader_id || '';
    const entry = byLeader.get(key) || { name: r.leader_name || T.noLeader, microGrids: 0, households: 0, done: 0 };
    entry.microGrids += 1;
    entry.households += r.households;
    entry.done += r.done;
    byLeader.set(key, entry);
  }
  const leaders = [...byLeader.entries()].sort((a, b) => a[1].name.localeCompare(b[1].name, 'zh-CN'));
  const C = T.progressCols;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${T.leaderCaption}><table>
    <caption class="sr-only">${T.leaderCaption}</caption>
    <thead><tr>
      <th scope="col">${T.leaderCols.leader}</th><th scope="col" class="num">${T.leaderCols.microGrids}</th>
      <th scope="col" class="num">${C.households}</th><th scope="col" class="num">${C.done}</th><th scope="col" class="num">${C.rate}</th>
    </tr></thead>
    <tbody>${leaders.map(([key, l]) => html`<tr key=${key || 'none'}>
      <th scope="row">${l.name}</th><td class="num">${count(l.microGrids)}</td>
      <td class="num">${count(l.households)}</td><td class="num">${count(l.done)}</td><td class="num">${rate(l.done, l.households)}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

/** The households still to do (this round's, for a repeating task), a page at a time. */
function Pending({ api, id, progress }) {
  const [page, setPage] = useState(1);
  const list = useLoad((signal) => api.request('GET', `/tasks/${id}/households`, {
    query: { done: false, page, per_page: PER_PAGE }, signal,
  }), [id, page]);
  const microGrid = new Map(progress.map((r) => [r.micro_grid_id, r.micro_grid_name]));
  const C = T.pendingCols;
  return html`<section aria-labelledby="td-pending-h" aria-busy=${list.loading ? 'true' : 'false'}>
    <h2 id="td-pending-h">${T.pending}${list.data ? `（${count(list.data.total)}）` : ''}</h2>
    <${ErrorNote} error=${list.error} />
    ${list.data && (list.data.items.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${T.pending}><table>
      <caption class="sr-only">${T.pending}</caption>
      <thead><tr><th scope="col">${C.name}</th><th scope="col">${C.address}</th><th scope="col">${C.microGrid}</th></tr></thead>
      <tbody>${list.data.items.map((h) => html`<tr key=${h.household_id}>
        <th scope="row">${h.name}</th><td class="wrap">${h.address || S.NONE}</td><td>${microGrid.get(h.micro_grid_id) || S.NONE}</td>
      </tr>`)}</tbody>
    </table></div>` : html`<p>${T.pendingNone}</p>`)}
    ${list.data && html`<${Pager} page=${page} perPage=${PER_PAGE} total=${list.data.total} onPage=${setPage} />`}
  </section>`;
}
