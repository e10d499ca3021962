// 概览: the summary's figures for a date range, the breakdown as a chart and a sortable
// table, drill-down grid → its micro-grids → a micro-grid's households, the ten micro-grids
// with the lowest coverage, and the API's export files for exactly what is shown.
// A grid supervisor's requests are held to their grid by the API, so the page shows only it.

import { html, useState, useEffect, useMemo } from '/shared/html.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, count, percent, today, SortHeader, sortRows, time } from './ui.js';
import { Chart } from './chart.js';
import { ExportButtons } from './export.js';

const O = S.OVERVIEW;

// The range and breakdown live in the URL (#overview?by=week&from=…&to=…), so a view can be
// bookmarked or sent to a colleague.
function fromHash() {
  const q = new URLSearchParams(location.hash.split('?')[1] || '');
  const day = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || '') ? v : null);
  return {
    from: day(q.get('from')) || today(-29),
    to: day(q.get('to')) || today(),
    by: Object.hasOwn(O.byOptions, q.get('by')) ? q.get('by') : 'grid',
  };
}

export function Overview({ api }) {
  const initial = useMemo(fromHash, []);
  const [range, setRange] = useState({ from: initial.from, to: initial.to });
  const [by, setBy] = useState(initial.by);
  useEffect(() => {
    history.replaceState(null, '', `#overview?${new URLSearchParams({ by, from: range.from, to: range.to })}`);
  }, [by, range.from, range.to]);
  // Drill-down: a grid (its micro-grids), then one of its micro-grids (its households).
  const [grid, setGrid] = useState(null);
  const [microGrid, setMicroGrid] = useState(null);
  const [sort, setSort] = useState({ col: null, asc: true });

  const shownBy = grid ? 'micro_grid' : by;
  const scope = microGrid ? { micro_grid_id: microGrid.key } : grid ? { grid_id: grid.key } : {};
  const query = { from: range.from, to: range.to };

  const load = useLoad(
    (signal) => {
      const get = (path, q) => api.request('GET', path, { query: { ...query, ...q }, signal });
      return Promise.all([
        get('/stats/summary', scope),
        microGrid
          ? api.request('GET', '/households', { query: { micro_grid_id: microGrid.key, per_page: 200 }, signal })
          : get('/stats/breakdown', { by: shownBy, ...scope }),
      ]).then(([summary, second]) => ({
        summary,
        breakdown: microGrid ? null : second,
        households: microGrid ? second : null,
      }));
    },
    [range.from, range.to, shownBy, grid?.key, microGrid?.key],
  );
  // The lowest ten are of the whole scope, whatever is drilled into; the API sorts them.
  const lowest = useLoad(
    (signal) => api.request('GET', '/stats/breakdown', {
      query: { ...query, by: 'micro_grid', sort: 'coverage', limit: LOWEST + EMPTY_ALLOWANCE }, signal,
    }).then((b) => lowestMicroGrids(b.rows)),
    [range.from, range.to],
  );

  const changeRange = (field) => (e) => {
    if (e.target.value) setRange({ ...range, [field]: e.target.value });
  };
  const drill = (row) => {
    setSort({ col: null, asc: true });
    if (shownBy === 'grid') { setGrid(row); setMicroGrid(null); }
    else if (shownBy === 'micro_grid') setMicroGrid(row);
  };
  const up = (level) => () => {
    setSort({ col: null, asc: true });
    if (level === 'top') { setGrid(null); setMicroGrid(null); } else setMicroGrid(null);
  };

  const data = load.data;
  const rows = data?.breakdown ? (sort.col ? sortRows(data.breakdown.rows, sort) : data.breakdown.rows) : [];
  const drillable = !microGrid && (shownBy === 'grid' || shownBy === 'micro_grid');

  return html`<section class="overview" aria-busy=${load.loading || lowest.loading ? 'true' : 'false'}>
    <h1 tabindex="-1">${O.heading}</h1>
    <form class="bar panel" onSubmit=${(e) => e.preventDefault()}>
      <div class="field"><label for="ov-from">${O.from}</label>
        <input id="ov-from" type="date" value=${range.from} max=${range.to} onChange=${changeRange('from')} /></div>
      <div class="field"><label for="ov-to">${O.to}</label>
        <input id="ov-to" type="date" value=${range.to} min=${range.from} onChange=${changeRange('to')} /></div>
      <div class="field"><label for="ov-by">${O.by}</label>
        <select id="ov-by" value=${by} onChange=${(e) => { setBy(e.target.value); setGrid(null); setMicroGrid(null); setSort({ col: null, asc: true }); }}>
          ${Object.entries(O.byOptions).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
        </select></div>
      <${ExportButtons} api=${api} query=${{ ...query, by: shownBy, ...scope }} />
    </form>
    <${Crumbs} grid=${grid} microGrid=${microGrid} up=${up} />
    <${ErrorNote} error=${load.error} />
    <${Figures} summary=${data?.summary} />
    <div class="columns">
      <section class="panel" aria-labelledby="ov-chart-h">
        <h2 id="ov-chart-h">${O.chartHeading}</h2>
        ${data?.breakdown ? html`<${Chart} by=${shownBy} rows=${rows} />` : html`<p>${load.loading ? S.LOADING : ''}</p>`}
      </section>
      <section class="panel" aria-labelledby="ov-low-h">
        <h2 id="ov-low-h">${O.lowestHeading}</h2>
        <${ErrorNote} error=${lowest.error} />
        ${lowest.data?.length
          ? html`<ol class="lowest">${lowest.data.map((r) => html`<li key=${r.key}>${r.name}：<strong>${percent(r.coverage)}</strong></li>`)}</ol>`
          : html`<p>${lowest.loading ? S.LOADING : O.lowestNone}</p>`}
      </section>
    </div>
    <section aria-labelledby="ov-table-h">
      <h2 id="ov-table-h">${microGrid ? O.householdsOf(microGrid.name) : O.tableHeading}</h2>
      ${drillable && html`<p class="help">${O.drillHint}</p>`}
      ${data?.breakdown && html`<${BreakdownTable} by=${shownBy} rows=${rows} sort=${sort} onSort=${setSort}
        onDrill=${drillable ? drill : null} />`}
      ${data?.households && html`<${HouseholdTable} households=${data.households.items} />`}
    </section>
  </section>`;
}

const LOWEST = 10;
// A micro-grid without households has coverage 0 but nobody to visit: it is left out, and a
// few more rows are asked for so that such micro-grids do not crowd out the real ten.
const EMPTY_ALLOWANCE = 10;

function lowestMicroGrids(rows) {
  return rows.filter((r) => r.households > 0).slice(0, LOWEST);
}

function Crumbs({ grid, microGrid, up }) {
  if (!grid && !microGrid) return null;
  return html`<nav class="crumbs" aria-label=${O.crumbs}><ol>
    <li><button type="button" class="link" onClick=${up('top')}>${O.allGrids}</button></li>
    ${grid && html`<li>${microGrid ? html`<button type="button" class="link" onClick=${up('grid')}>${grid.name}</button>` : html`<span aria-current="page">${grid.name}</span>`}</li>`}
    ${microGrid && html`<li><span aria-current="page">${microGrid.name}</span></li>`}
  </ol></nav>`;
}

function Figures({ summary: s }) {
  const f = O.figures;
  const coverage = s ? (s.households ? Math.min(1, s.households_visited / s.households) : 0) : null;
  const item = (label, value, note) => html`<div><dt>${label}</dt><dd>${s ? value : '…'}${s && html`<span class="note">${note}</span>`}</dd></div>`;
  return html`<section aria-labelledby="ov-fig-h">
    <h2 id="ov-fig-h" class="sr-only">${O.figuresHeading}</h2>
    <dl class="figures">
      ${item(f.visits, count(s?.visits), O.figureNotes.visits)}
      ${item(f.households_visited, count(s?.households_visited), O.figureNotes.households_visited(count(s?.households)))}
      ${item(f.coverage, percent(coverage), O.figureNotes.coverage)}
      ${item(f.raised, count(s?.issues.raised), O.figureNotes.raised)}
      ${item(f.resolved, count(s?.issues.resolved), O.figureNotes.resolved)}
      ${item(f.satisfaction, percent(s?.issues.satisfaction_rate), O.figureNotes.satisfaction)}
      ${item(f.onTime, percent(s?.issues.on_time_rate), O.figureNotes.onTime)}
      ${item(f.medianDays, days(s?.issues.median_working_days), O.figureNotes.medianDays)}
    </dl>
  </section>`;
}

const NUMERIC = [
  'households', 'visits', 'households_visited', 'coverage', 'issues_raised', 'issues_resolved',
  'on_time_rate', 'median_working_days',
];

// Working days, one decimal at most (a median of two can fall between days); — when none.
const days = (d) => (d == null ? S.NONE : `${Number.isInteger(d) ? d : d.toFixed(1)}`);

function BreakdownTable({ by, rows, sort, onSort, onDrill }) {
  const C = S.BREAKDOWN_COLS;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
    <caption class="sr-only">${O.tableHeading}（${O.byOptions[by]}）</caption>
    <thead><tr>
      <${SortHeader} label=${C.name[by]} col="name" sort=${sort} onSort=${onSort} />
      ${NUMERIC.map((col) => html`<${SortHeader} key=${col} label=${C[col]} col=${col} sort=${sort} onSort=${onSort} numeric />`)}
    </tr></thead>
    <tbody>
      ${rows.map((r) => html`<tr key=${r.key}>
        <th scope="row">${onDrill ? html`<button type="button" class="link" onClick=${() => onDrill(r)}>${r.name}</button>` : by === 'week' ? html`${r.key} <small>${r.name}</small>` : r.name}</th>
        <td class="num">${count(r.households)}</td>
        <td class="num">${count(r.visits)}</td>
        <td class="num">${count(r.households_visited)}</td>
        <td class="num">${percent(r.coverage)}</td>
        <td class="num">${count(r.issues_raised)}</td>
        <td class="num">${count(r.issues_resolved)}</td>
        <td class="num">${percent(r.on_time_rate)}</td>
        <td class="num">${days(r.median_working_days)}</td>
      </tr>`)}
    </tbody>
  </table></div>`;
}

function HouseholdTable({ households }) {
  const cols = O.householdCols;
  const yes = S.HOUSEHOLDS.yes;
  const no = S.HOUSEHOLDS.no;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
    <thead><tr>${cols.map((c) => html`<th scope="col" key=${c}>${c}</th>`)}</tr></thead>
    <tbody>${households.map((h) => html`<tr key=${h.id}>
      <th scope="row">${h.name}</th><td class="wrap">${h.address}</td>
      <td>${h.last_visited_at ? time(h.last_visited_at) : O.neverVisited}</td>
      <td>${h.acquainted_at ? yes : no}</td><td>${h.in_group ? yes : no}</td>
    </tr>`)}</tbody>
  </table></div>`;
}
