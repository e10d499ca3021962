// 督办 (admins and supervisors): the routed problems that are late or due today, counted by
// office, grid and leader (GET /supervision) — where to ring first, not a ranking of people:
// rows are by name. The problems themselves are on 诉求 with 仅看超期.

import { html } from '/shared/html.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, count } from './ui.js';

const V = S.SUPERVISION;

export function Supervision({ api }) {
  const figures = useLoad((signal) => api.request('GET', '/supervision', { signal }), []);
  const data = figures.data;
  return html`<section aria-busy=${figures.loading ? 'true' : 'false'}>
    <h1 tabindex="-1">${V.heading}</h1>
    <p>${V.intro}</p>
    <${ErrorNote} error=${figures.error} />
    ${data && html`
      <dl class="figures">
        <div><dt>${V.overdue}</dt><dd>${count(data.overdue)}</dd></div>
        <div><dt>${V.dueSoon}</dt><dd>${count(data.due_soon)}</dd></div>
      </dl>
      ${data.overdue + data.due_soon === 0 ? html`<p>${V.none}</p>` : html`
        <${Counts} caption=${V.tables.department} rows=${data.by_department} />
        <${Counts} caption=${V.tables.grid} rows=${data.by_grid} />
        <${Counts} caption=${V.tables.leader} rows=${data.by_leader} />`}`}
  </section>`;
}

function Counts({ caption, rows }) {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${caption}><table>
    <caption>${caption}</caption>
    <thead><tr>${Object.values(V.cols).map((c) => html`<th scope="col" key=${c}>${c}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => html`<tr key=${r.id}>
      <th scope="row">${r.name}</th><td>${count(r.overdue)}</td><td>${count(r.due_soon)}</td>
    </tr>`)}</tbody>
  </table></div>`;
}
