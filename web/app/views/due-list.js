// "待走访": the households due (never visited first, then the longest unvisited), or with
// `all` every household of the leader ("全部住户"); "搜索" filters by name or address.
import { html, useEffect, useMemo, useState } from '/shared/html.js';
import { matches, withDueState } from '../due.js';
import { T } from '../strings.js';
import { ToVerify } from './to-verify.js';
import { TaskList } from './tasks.js';

// Rows drawn at first; the rest on "显示更多" (a cheap phone draws 300 rows slowly).
const PAGE = 60;
const SHOWN_MARK = 'lianxin:due-list-shown';

export function visitLabel(row) {
  if (row.daysSince === null) return T.neverVisited;
  if (row.daysSince <= 0) return T.visitedToday;
  return T.daysUnvisited(row.daysSince);
}

export function DueList({ api, households, queue, tasks, zone, all, go }) {
  const [query, setQuery] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const heading = all ? T.allHouseholds : T.due;
  document.title = `${heading} · 连心`;
  const visits = useMemo(
    () => queue.filter((i) => i.kind === 'visit' && i.state !== 'attention').map((i) => i.body),
    [queue],
  );
  const rows = useMemo(
    () => withDueState(households || [], visits, zone).filter((r) => all || r.due),
    [households, visits, zone.timeZone, zone.intervalDays, zone.tagIntervals, all],
  );
  const shown = query ? rows.filter((r) => matches(r.household, query)) : rows;
  // For the budget (bench/app_budgets.mjs): when the list first stands on the screen.
  useEffect(() => {
    if (shown.length && !performance.getEntriesByName(SHOWN_MARK).length) performance.mark(SHOWN_MARK);
  }, [shown.length > 0]);

  return html`
    <h1 tabindex="-1">${heading}</h1>
    <nav class="view-links">
      ${all ? html`<a href="#/">${T.due}</a>` : html`<a href="#/all">${T.allHouseholds}</a>`}
      <button type="button" onClick=${() => go('/round')}>${T.groupRound}</button>
    </nav>
    ${!all && html`<${ToVerify} api=${api} households=${households} />`}
    ${!all && html`<${TaskList} tasks=${tasks} zone=${zone} />`}
    <label for="search">${T.search}</label>
    <input id="search" type="search" placeholder=${T.searchHint} value=${query}
      onInput=${(e) => setQuery(e.target.value)} />
    <p class="muted count">${all ? T.allCount(shown.length) : T.dueCount(shown.length)}</p>
    ${households === null ? html`<p class="muted">${T.loading}</p>`
      : households.length === 0 ? html`<p class="empty">${T.noHouseholds}</p>`
      : shown.length === 0 ? html`<p class="empty">${query ? T.noneFound : T.noneDue}</p>`
      : html`
        <ul class="households" aria-label=${heading}>
          ${shown.slice(0, limit).map((row) => html`
            <li key=${row.household.id}>
              <a href="#/h/${row.household.id}">
                <span class="name">${row.household.name}</span>
                <span class="address">${row.household.address}</span>
                <span class="days ${row.due ? 'due' : ''}">${visitLabel(row)}</span>
              </a>
            </li>`)}
        </ul>
        ${shown.length > limit && html`
          <button type="button" class="more" onClick=${() => setLimit(limit + PAGE * 2)}>
            ${T.showMore(shown.length - limit)}
          </button>`}`}
  `;
}
