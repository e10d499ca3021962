// The 概览 chart, drawn as SVG in the page: bars of visits for grids, micro-grids or leaders
// (with each row's coverage written beside its bar), a line of visits and one of coverage for
// weeks. The table below it holds the same numbers; the chart's aria-label says what it shows.

import { html } from '/shared/html.js';
import * as S from './strings.js';
import { percent } from './ui.js';

const WIDTH = 660;
export const MAX_BARS = 20;

export function Chart({ by, rows }) {
  if (!rows.length) return html`<p>${S.OVERVIEW.noRows}</p>`;
  return by === 'week' ? html`<${WeekLines} rows=${rows} />` : html`<${Bars} by=${by} rows=${rows} />`;
}

function Bars({ by, rows }) {
  const shown = rows.slice(0, MAX_BARS);
  const top = rows.reduce((best, r) => (!best || r.visits > best.visits ? r : best), null);
  const max = Math.max(1, ...shown.map((r) => r.visits));
  const rowH = 21;
  const labelW = 150;
  const valueW = 120;
  const barW = WIDTH - labelW - valueW - 20;
  const height = shown.length * rowH + 34;
  const label = S.OVERVIEW.chartLabelBars(
    S.OVERVIEW.byOptions[by],
    rows.length,
    top && { name: top.name, visits: top.visits, coverage: percent(top.coverage) },
  );
  return html`<figure class="chart">
    <svg role="img" aria-label=${label} viewBox=${`0 0 ${WIDTH} ${height}`} font-size="14">
      <${Legend} y=${14} line=${false} />
      ${shown.map((r, i) => {
        const y = 28 + i * rowH;
        const w = Math.max(r.visits ? 2 : 0, (r.visits / max) * barW);
        return html`<g key=${r.key}>
          <text x=${labelW - 8} y=${y + 15} text-anchor="end" fill="#1f2328">${clip(r.name, 11)}</text>
          <rect x=${labelW} y=${y + 3} width=${w} height=${rowH - 8} fill="#2f6fb3" rx="2" />
          <rect x=${labelW} y=${y + rowH - 4} width=${r.coverage * barW} height="2" fill="#b45309" />
          <text x=${labelW + w + 6} y=${y + 15} fill="#1f2328">${r.visits} · ${percent(r.coverage)}</text>
        </g>`;
      })}
    </svg>
    <figcaption class="caption">${S.OVERVIEW.chartShown(shown.length, rows.length)}</figcaption>
  </figure>`;
}

function WeekLines({ rows }) {
  const height = 300;
  const left = 56;
  const right = 56;
  const top = 30;
  const bottom = 40;
  const plotW = WIDTH - left - right;
  const plotH = height - top - bottom;
  const maxVisits = niceMax(Math.max(1, ...rows.map((r) => r.visits)));
  const x = (i) => left + (rows.length === 1 ? plotW / 2 : (i / (rows.length - 1)) * plotW);
  const yVisits = (v) => top + plotH - (v / maxVisits) * plotH;
  const yCoverage = (c) => top + plotH - c * plotH;
  const visitsPath = rows.map((r, i) => `${x(i).toFixed(1)},${yVisits(r.visits).toFixed(1)}`).join(' ');
  const coveragePath = rows.map((r, i) => `${x(i).toFixed(1)},${yCoverage(r.coverage).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const every = Math.max(1, Math.ceil(rows.length / 13));
  const last = rows[rows.length - 1];
  const label = S.OVERVIEW.chartLabelWeeks(rows.length, Math.max(...rows.map((r) => r.visits)), last && percent(last.coverage));
  return html`<figure class="chart">
    <svg role="img" aria-label=${label} viewBox=${`0 0 ${WIDTH} ${height}`} font-size="13">
      <${Legend} y=${14} line=${true} />
      ${ticks.map((t) => html`<g key=${t}>
        <line x1=${left} x2=${WIDTH - right} y1=${top + plotH - t * plotH} y2=${top + plotH - t * plotH} stroke="#d0d7de" />
        <text x=${left - 6} y=${top + plotH - t * plotH + 4} text-anchor="end" fill="#4d5560">${Math.round(t * maxVisits)}</text>
        <text x=${WIDTH - right + 6} y=${top + plotH - t * plotH + 4} fill="#4d5560">${Math.round(t * 100)}%</text>
      </g>`)}
      ${rows.map((r, i) => (i % every === 0 || (i === rows.length - 1 && i % every > every / 2))
        ? html`<text key=${r.key} x=${x(i)} y=${height - bottom + 18} text-anchor="middle" fill="#4d5560">${r.key.slice(5)}</text>`
        : null)}
      <polyline points=${visitsPath} fill="none" stroke="#2f6fb3" stroke-width="2.5" />
      <polyline points=${coveragePath} fill="none" stroke="#b45309" stroke-width="2" stroke-dasharray="6 3" />
      ${rows.map((r, i) => html`<circle key=${r.key} cx=${x(i)} cy=${yVisits(r.visits)} r="2.5" fill="#2f6fb3" />`)}
    </svg>
  </figure>`;
}

function Legend({ y, line }) {
  return html`<g>
    <rect x="0" y=${y - 10} width="14" height="10" fill="#2f6fb3" />
    <text x="20" y=${y} fill="#1f2328">${S.OVERVIEW.legendVisits}</text>
    ${line
      ? html`<line x1="100" x2="120" y1=${y - 5} y2=${y - 5} stroke="#b45309" stroke-width="2" stroke-dasharray="6 3" />`
      : html`<rect x="100" y=${y - 6} width="20" height="2" fill="#b45309" />`}
    <text x="126" y=${y} fill="#1f2328">${S.OVERVIEW.legendCoverage}</text>
  </g>`;
}

function niceMax(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
