// 住户: find households (search, grid, micro-grid), open a dossier (masked as the API masks it
// for the caller's role), edit it, and move selected households to another micro-grid
// (调整网格) after a preview of what the move would do.

import { html, useState, useEffect } from '/shared/html.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Notice, Pager, time } from './ui.js';
import { directory, forget, microGridsByGrid, microGridName, userName } from './directory.js';
import { Dossier } from './dossier.js';

const H = S.HOUSEHOLDS;
const PER_PAGE = 50;

export function Households({ api, session }) {
  const isAdmin = session.user.role === 'tenant_admin';
  const dir = useLoad(() => directory(api), []);
  const [filter, setFilter] = useState({ q: '', grid_id: '', micro_grid_id: '', page: 1 });
  const [typed, setTyped] = useState('');
  const [openId, setOpenId] = useState(null);
  const [selected, setSelected] = useState(new Set());
  const [moving, setMoving] = useState(false);
  const [notice, setNotice] = useState('');

  const list = useLoad((signal) => {
    const query = { page: filter.page, per_page: PER_PAGE };
    for (const k of ['q', 'grid_id', 'micro_grid_id']) if (filter[k]) query[k] = filter[k];
    return api.request('GET', '/households', { query, signal });
  }, [filter.q, filter.grid_id, filter.micro_grid_id, filter.page]);

  const d = dir.data;
  const groups = d ? microGridsByGrid(d) : [];
  const gridMicroGrids = filter.grid_id ? groups.find((g) => g.grid.id === filter.grid_id)?.microGrids || [] : [];
  const items = list.data?.items || [];

  const toggle = (id) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id); else next.add(id);
    setSelected(next);
  };
  const allOnPage = items.length > 0 && items.every((h) => selected.has(h.id));
  const toggleAll = () => {
    const next = new Set(selected);
    for (const h of items) if (allOnPage) next.delete(h.id); else next.add(h.id);
    setSelected(next);
  };

  return html`<section>
    <h1 tabindex="-1">${H.heading}</h1>
    <form class="bar panel" role="search" onSubmit=${(e) => { e.preventDefault(); setFilter({ ...filter, q: typed.trim(), page: 1 }); }}>
      <div class="field wide"><label for="hh-q">${H.search}</label>
        <input id="hh-q" type="search" value=${typed} onInput=${(e) => setTyped(e.target.value)} /></div>
      <button type="submit">${H.searchButton}</button>
      <div class="field"><label for="hh-grid">${H.grid}</label>
        <select id="hh-grid" value=${filter.grid_id} onChange=${(e) => setFilter({ ...filter, grid_id: e.target.value, micro_grid_id: '', page: 1 })}>
          <option value="">${S.ALL}</option>
          ${groups.map((g) => html`<option key=${g.grid.id} value=${g.grid.id}>${g.grid.name}</option>`)}
        </select></div>
      <div class="field"><label for="hh-mg">${H.microGrid}</label>
        <select id="hh-mg" value=${filter.micro_grid_id} disabled=${!filter.grid_id}
          onChange=${(e) => setFilter({ ...filter, micro_grid_id: e.target.value, page: 1 })}>
          <option value="">${S.ALL}</option>
          ${gridMicroGrids.map((m) => html`<option key=${m.id} value=${m.id}>${m.name}</option>`)}
        </select></div>
    </form>
    <${ErrorNote} error=${list.error || dir.error} />
    <${Notice} text=${notice} />
    ${isAdmin && html`<div class="bar">
      <span role="status">${H.selected(selected.size)}</span>
      <button type="button" disabled=${selected.size === 0} onClick=${() => setMoving(true)}>${H.move}</button>
    </div>`}
    ${moving && d && html`<${MoveHouseholds} api=${api} dir=${d} groups=${groups} ids=${[...selected]}
      onCancel=${() => setMoving(false)}
      onDone=${(text) => { setMoving(false); setSelected(new Set()); setNotice(text); forget(); dir.reload(); list.reload(); }} />`}
    <div class="columns">
      <div>
        ${list.data && (items.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
          <caption class="sr-only">${H.caption}</caption>
          <thead><tr>
            ${isAdmin && html`<th scope="col"><input type="checkbox" aria-label=${H.selectAll} checked=${allOnPage} onChange=${toggleAll} /></th>`}
            <th scope="col">${H.cols.name}</th><th scope="col">${H.cols.address}</th>
            <th scope="col">${H.cols.microGrid}</th><th scope="col">${H.cols.lastVisit}</th>
          </tr></thead>
          <tbody>${items.map((h) => html`<tr key=${h.id} class=${h.id === openId ? 'chosen' : ''}>
            ${isAdmin && html`<td><input type="checkbox" aria-label=${H.select(h.name)} checked=${selected.has(h.id)} onChange=${() => toggle(h.id)} /></td>`}
            <th scope="row"><button type="button" class="link" aria-pressed=${h.id === openId} onClick=${() => setOpenId(h.id)}>${h.name}</button></th>
            <td class="wrap">${h.address}</td><td>${d ? microGridName(d, h.micro_grid_id) : ''}</td>
            <td>${h.last_visited_at ? time(h.last_visited_at) : S.OVERVIEW.neverVisited}</td>
          </tr>`)}</tbody>
        </table></div>` : html`<p>${H.noneFound}</p>`)}
        ${list.data && html`<${Pager} page=${filter.page} perPage=${PER_PAGE} total=${list.data.total}
          onPage=${(page) => setFilter({ ...filter, page })} />`}
      </div>
      ${openId && d && html`<${Dossier} key=${openId} api=${api} dir=${d} id=${openId} canEdit=${isAdmin}
        onSaved=${() => list.reload()} onClose=${() => setOpenId(null)} />`}
    </div>
  </section>`;
}

function MoveHouseholds({ api, dir, groups, ids, onCancel, onDone }) {
  const [target, setTarget] = useState('');
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const body = { household_ids: ids, micro_grid_id: target };

  useEffect(() => {
    setPreview(null);
    setError(null);
    if (!target) return undefined;
    const ctl = new AbortController();
    api.request('POST', '/households/assign/preview', { body, signal: ctl.signal })
      .then((p) => !ctl.signal.aborted && setPreview(p), (e) => !ctl.signal.aborted && setError(e));
    return () => ctl.abort();
  }, [target]);

  const confirm = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const answer = await api.request('POST', '/households/assign', { body });
      onDone(H.moved(answer.assigned, microGridName(dir, target)));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return html`<form class="panel" onSubmit=${confirm} aria-labelledby="mv-h">
    <h2 id="mv-h">${H.move}（${H.selected(ids.length)}）</h2>
    <div class="field"><label for="mv-target">${H.target}</label>
      <select id="mv-target" value=${target} onChange=${(e) => setTarget(e.target.value)} required>
        <option value="">${S.GRIDS.choose}</option>
        ${groups.map((g) => html`<optgroup key=${g.grid.id} label=${g.grid.name}>
          ${g.microGrids.map((m) => html`<option key=${m.id} value=${m.id}>${m.name}</option>`)}
        </optgroup>`)}
      </select></div>
    <div aria-live="polite">
      ${preview && html`<div class="preview" id="mv-preview"><strong>${H.movePreviewHeading}：</strong>
        ${H.movePreview({
          households: preview.households,
          open_issues: preview.open_issues,
          target: microGridName(dir, target),
          leader: userName(dir, preview.to_leader_id),
          from: preview.from.map((f) => `${microGridName(dir, f.micro_grid_id)} ${f.households} 户`).join('、'),
        })}</div>`}
    </div>
    <${ErrorNote} error=${error} />
    <div class="actions">
      <button type="submit" disabled=${!preview || busy}>${S.CONFIRM}</button>
      <button type="button" class="quiet" onClick=${onCancel}>${S.CANCEL}</button>
    </div>
  </form>`;
}
