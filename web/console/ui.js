// Small pieces every console page uses: loading data, showing errors, formatting numbers,
// dates and times in the township's zone, paging, sortable column headers.

import { html, useState, useEffect, useCallback } from '/shared/html.js';
import { errorText as sharedErrorText, fieldProblems } from '/shared/strings.js';
import * as S from './strings.js';

// The township's zone decides what "today" and a visit's day are, not the browser's.
let zone = 'Asia/Shanghai';
export function setZone(timezone) {
  if (timezone) zone = timezone;
}

/** Today as YYYY-MM-DD in the township's zone. */
export function today(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(d);
}

const timeFormat = () =>
  new Intl.DateTimeFormat('zh-CN', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
export const time = (t) => (t ? timeFormat().format(new Date(t)) : S.NONE);
export const date = (t) => (t ? new Intl.DateTimeFormat('zh-CN', { timeZone: zone }).format(new Date(t)) : S.NONE);
export const count = (n) => (n == null ? S.NONE : Number(n).toLocaleString('zh-CN'));
export const percent = (x) => (x == null ? S.NONE : `${(x * 100).toFixed(1)}%`);

/** The words of a refused request: the server's message (zh-CN), then each field's problems. */
export function errorText(err) {
  if (!err) return '';
  if (err.status === undefined) return err.message; // the console's own words
  return [sharedErrorText(err), ...fieldProblems(err.fields)].join(' ');
}

export function ErrorNote({ error }) {
  return error ? html`<p class="error" role="alert">${errorText(error)}</p>` : null;
}

export function Notice({ text }) {
  return html`<p class="notice" role="status">${text || ''}</p>`;
}

/**
 * Loads with `fn(signal)` whenever `deps` change; a newer load cancels the older one so a
 * slow answer never overwrites a newer one. Returns { data, error, loading, reload }.
 */
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, key: null });
  const [tick, setTick] = useState(0);
  // Loading until the answer for exactly these deps is in, so that a render between a change
  // and its load never passes old data off as current (aria-busy stays true).
  const key = JSON.stringify([...deps, tick]);
  useEffect(() => {
    const ctl = new AbortController();
    fn(ctl.signal).then(
      (data) => { if (!ctl.signal.aborted) setState({ data, error: null, key }); },
      (error) => { if (!ctl.signal.aborted) setState({ data: null, error, key }); },
    );
    return () => ctl.abort();
  }, [key]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.key === key ? state.error : null, loading: state.key !== key, reload };
}

export function Pager({ page, perPage, total, onPage }) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  return html`<nav class="pager" aria-label="分页">
    <button type="button" disabled=${page <= 1} onClick=${() => onPage(page - 1)}>${S.PREV_PAGE}</button>
    <span>${S.page(page, pages, total)}</span>
    <button type="button" disabled=${page >= pages} onClick=${() => onPage(page + 1)}>${S.NEXT_PAGE}</button>
  </nav>`;
}

/** A column header that sorts its table; aria-sort tells a screen reader the order. */
export function SortHeader({ label, col, sort, onSort, numeric }) {
  const active = sort.col === col;
  const dir = active ? (sort.asc ? 'ascending' : 'descending') : 'none';
  const arrow = active ? (sort.asc ? '▲' : '▼') : '';
  return html`<th scope="col" aria-sort=${dir} class=${numeric ? 'num' : ''}>
    <button type="button" class="sort" title=${S.SORT_BY(label)}
      onClick=${() => onSort({ col, asc: active ? !sort.asc : !numeric })}>
      ${label}<span aria-hidden="true" class="arrow">${arrow}</span>
    </button>
  </th>`;
}

export function sortRows(rows, { col, asc }) {
  const sorted = [...rows].sort((a, b) => {
    const x = a[col];
    const y = b[col];
    // A row without the figure (no issue resolved) goes last, whichever the direction.
    if (x == null || y == null) return (x == null) - (y == null);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-CN', { numeric: true });
    return asc ? c : -c;
  });
  return sorted;
}

/** Reads every page of a list endpoint (per_page 200, the API's largest). */
export async function readAll(api, path, query = {}, signal) {
  const items = [];
  for (let page = 1; ; page++) {
    const body = await api.request('GET', path, { query: { ...query, page, per_page: 200 }, signal });
    items.push(...body.items);
    if (items.length >= body.total || body.items.length === 0) return items;
  }
}
