// 网格: the township's grids with their micro-grid, leader and household counts; a grid's
// micro-grids with leader and households; on a micro-grid, 更换网格长 (定亲) with a preview of
// how many households and open issues pass to the new leader before anything changes, and
// the micro-grid's leader history.

import { html, useState, useEffect } from '/shared/html.js';
import { GRID_KIND } from '/shared/strings.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Notice, count, date } from './ui.js';
import { directory, forget, userName } from './directory.js';

const G = S.GRIDS;

export function Grids({ api, session }) {
  const dir = useLoad(() => directory(api), []);
  const [gridId, setGridId] = useState(null);
  const [microGridId, setMicroGridId] = useState(null);
  const [notice, setNotice] = useState('');
  const isAdmin = session.user.role === 'tenant_admin';

  const d = dir.data;
  const grids = d ? summarise(d) : [];
  const grid = d && (d.grids.get(gridId) || (grids.length === 1 ? grids[0].grid : null));
  const microGrids = grid ? [...d.microGrids.values()].filter((m) => m.grid_id === grid.id)
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN', { numeric: true })) : [];
  const microGrid = d?.microGrids.get(microGridId);

  const changed = (text) => { forget(); setNotice(text); dir.reload(); };

  return html`<section>
    <h1 tabindex="-1">${G.heading}</h1>
    <${ErrorNote} error=${dir.error} />
    <${Notice} text=${notice} />
    ${dir.loading && !d && html`<p>${S.LOADING}</p>`}
    ${d && html`<div class="columns">
      <div>
        <div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
          <caption>${G.gridsCaption}</caption>
          <thead><tr>
            <th scope="col">${G.cols.name}</th><th scope="col">${G.cols.kind}</th>
            <th scope="col" class="num">${G.cols.microGrids}</th><th scope="col" class="num">${G.cols.leaders}</th>
            <th scope="col" class="num">${G.cols.vacant}</th><th scope="col" class="num">${G.cols.households}</th>
          </tr></thead>
          <tbody>${grids.map((g) => html`<tr key=${g.grid.id} class=${g.grid.id === grid?.id ? 'chosen' : ''}>
            <th scope="row"><button type="button" class="link" aria-pressed=${g.grid.id === grid?.id}
              onClick=${() => { setGridId(g.grid.id); setMicroGridId(null); setNotice(''); }}>${g.grid.name}</button></th>
            <td>${GRID_KIND[g.grid.kind] ?? g.grid.kind}</td><td class="num">${count(g.microGrids)}</td>
            <td class="num">${count(g.leaders)}</td><td class="num">${count(g.vacant)}</td>
            <td class="num">${count(g.households)}</td>
          </tr>`)}</tbody>
        </table></div>
        ${grid && html`<div class="table-wrap spaced" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
          <caption>${G.microCaption(grid.name)}</caption>
          <thead><tr><th scope="col">${G.microCols.name}</th><th scope="col">${G.microCols.leader}</th>
            <th scope="col">${G.microCols.group}</th><th scope="col" class="num">${G.microCols.households}</th></tr></thead>
          <tbody>${microGrids.map((m) => html`<tr key=${m.id} class=${m.id === microGridId ? 'chosen' : ''}>
            <th scope="row"><button type="button" class="link" aria-pressed=${m.id === microGridId}
              onClick=${() => { setMicroGridId(m.id); setNotice(''); }}>${m.name}</button></th>
            <td>${userName(d, m.leader_id) || G.noLeader}</td><td>${m.group_name || S.NONE}</td>
            <td class="num">${count(m.households)}</td>
          </tr>`)}</tbody>
        </table></div>`}
      </div>
      ${microGrid && html`<${MicroGridPanel} key=${microGrid.id} api=${api} dir=${d} microGrid=${microGrid}
        canChange=${isAdmin} onChanged=${changed} />`}
    </div>`}
  </section>`;
}

/** Per grid: micro-grids, distinct leaders, micro-grids without a leader, households. */
function summarise(d) {
  const rows = new Map([...d.grids.values()].map((grid) => [grid.id, { grid, microGrids: 0, leaders: new Set(), vacant: 0, households: 0 }]));
  for (const m of d.microGrids.values()) {
    const row = rows.get(m.grid_id);
    if (!row) continue;
    row.microGrids += 1;
    row.households += m.households;
    if (m.leader_id) row.leaders.add(m.leader_id); else row.vacant += 1;
  }
  return [...rows.values()]
    .map((r) => ({ ...r, leaders: r.leaders.size }))
    .sort((a, b) => a.grid.name.localeCompare(b.grid.name, 'zh-CN', { numeric: true }));
}

function MicroGridPanel({ api, dir, microGrid, canChange, onChanged }) {
  const history = useLoad((signal) => api.request('GET', `/micro-grids/${microGrid.id}/leaders`, { signal }), [microGrid.id, microGrid.leader_id]);
  const [changing, setChanging] = useState(false);
  return html`<section class="panel" aria-labelledby="mg-h">
    <h2 id="mg-h">${microGrid.name}</h2>
    <dl class="facts">
      <dt>${G.leaderLabel}</dt><dd>${userName(dir, microGrid.leader_id) || G.noLeader}</dd>
      <dt>${G.microCols.households}</dt><dd>${count(microGrid.households)}</dd>
      <dt>${G.microCols.group}</dt><dd>${microGrid.group_name || S.NONE}</dd>
    </dl>
    ${canChange && !changing && html`<button type="button" onClick=${() => setChanging(true)}>${G.changeLeader}</button>`}
    ${changing && html`<${ChangeLeader} api=${api} dir=${dir} microGrid=${microGrid}
      onDone=${(text) => { setChanging(false); onChanged(text); }} onCancel=${() => setChanging(false)} />`}
    <h3>${G.historyHeading}</h3>
    <${ErrorNote} error=${history.error} />
    ${history.data && (history.data.length
      ? html`<table><thead><tr><th scope="col">${G.historyCols.leader}</th><th scope="col">${G.historyCols.from}</th><th scope="col">${G.historyCols.to}</th></tr></thead>
        <tbody>${[...history.data].sort((a, b) => (a.from < b.from ? 1 : -1)).map((h, i) => html`<tr key=${i}>
          <th scope="row">${userName(dir, h.user_id) || h.user_id}</th><td>${date(h.from)}</td><td>${h.to ? date(h.to) : G.current}</td>
        </tr>`)}</tbody></table>`
      : html`<p>${G.noHistory}</p>`)}
  </section>`;
}

function ChangeLeader({ api, dir, microGrid, onDone, onCancel }) {
  const leaders = [...dir.users.values()]
    .filter((u) => u.role === 'leader' && u.active && u.id !== microGrid.leader_id)
    .sort((a, b) => a.display_name.localeCompare(b.display_name, 'zh-CN', { numeric: true }));
  const [userId, setUserId] = useState('');
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  // The preview answers what the change would do, without doing it.
  useEffect(() => {
    setPreview(null);
    setError(null);
    if (!userId) return undefined;
    const ctl = new AbortController();
    api.request('GET', `/micro-grids/${microGrid.id}/leader/preview`, { query: { user_id: userId }, signal: ctl.signal })
      .then((p) => !ctl.signal.aborted && setPreview(p), (e) => !ctl.signal.aborted && setError(e));
    return () => ctl.abort();
  }, [userId]);

  const confirm = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api.request('PUT', `/micro-grids/${microGrid.id}/leader`, { body: { user_id: userId } });
      onDone(G.changed(microGrid.name, userName(dir, userId)));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return html`<form class="panel" onSubmit=${confirm} aria-labelledby="cl-h">
    <h3 id="cl-h">${G.changeLeader}</h3>
    <div class="field"><label for="cl-leader">${G.leaderSelect}</label>
      <select id="cl-leader" value=${userId} onChange=${(e) => setUserId(e.target.value)} required>
        <option value="">${G.choose}</option>
        ${leaders.map((u) => html`<option key=${u.id} value=${u.id}>${u.display_name}（${u.username}）</option>`)}
      </select></div>
    <div aria-live="polite">
      ${userId && !preview && !error && html`<p>${G.previewing}</p>`}
      ${preview && html`<div class="preview" id="cl-preview"><strong>${G.previewHeading}：</strong>
        ${G.preview(preview, userName(dir, userId))} ${G.previewFrom(userName(dir, preview.from_leader_id))}</div>`}
    </div>
    <${ErrorNote} error=${error} />
    <div class="actions">
      <button type="submit" disabled=${!preview || busy} aria-describedby="cl-preview">${S.CONFIRM}</button>
      <button type="button" class="quiet" onClick=${onCancel}>${S.CANCEL}</button>
    </div>
  </form>`;
}
