// What waits on the 诉求 page's reader, counted by the API: for a department's handler, what
// was routed to them and not yet signed for (新交办), what is late and what is due today; for an
// admin, the requests for more time waiting for an answer too. Each count is a button that
// shows those issues. Counts of one's own work only: no ranking of anyone.

import { html } from '/shared/html.js';
import * as S from './strings.js';
import { useLoad } from './ui.js';

const R = S.REMINDERS;

// Each reminder: its words, the list filter it shows, and the query that counts it.
const KINDS = {
  assigned: { filter: { status: 'assigned' }, query: { status: 'assigned' } },
  overdue: { filter: { overdue: true }, query: { overdue: true } },
  dueSoon: { filter: { dueSoon: true }, query: { due_soon: true } },
  extension: { filter: { extension: true }, query: { extension_requested: true } },
};

const FOR_ROLE = {
  handler: ['assigned', 'overdue', 'dueSoon'],
  tenant_admin: ['extension', 'overdue', 'dueSoon'],
  supervisor: ['overdue', 'dueSoon'],
};

export function Reminders({ api, role, version, onShow }) {
  const kinds = FOR_ROLE[role] || [];
  const counts = useLoad(async (signal) => {
    const totals = await Promise.all(kinds.map((k) => api.request('GET', '/issues', {
      query: { ...KINDS[k].query, per_page: 1 }, signal,
    }).then((page) => page.total)));
    return Object.fromEntries(kinds.map((k, i) => [k, totals[i]]));
  }, [role, version]);
  if (!kinds.length || !counts.data) return null;
  return html`<nav class="reminders" aria-label=${R.label}>
    ${kinds.map((k) => html`<button type="button" key=${k} class=${counts.data[k] ? 'waiting' : ''}
      onClick=${() => onShow(KINDS[k].filter)}>${R[k]}（${counts.data[k]}）</button>`)}
  </nav>`;
}
