// The sync state: "待同步 N" or "已全部同步" (role="status"), what needs the leader, the last
// successful sync, and "立即同步".
import { html } from '/shared/html.js';
import { T, formatTime } from '../strings.js';

export function SyncBar({ state, tally, lastSync, zone, onSync }) {
  let detail;
  if (state.running) detail = T.syncing;
  else if (state.problem === 'offline') detail = T.offline;
  else if (state.problem === 'retry' && state.retryAt) {
    detail = T.retryIn(Math.max(1, Math.round((state.retryAt - Date.now()) / 1000)));
  } else detail = lastSync ? T.lastSync(formatTime(lastSync, zone.timeZone)) : T.neverSynced;
  return html`
    <header class="syncbar ${tally.pending ? 'waiting' : 'done'}">
      <div class="syncbar-text">
        <p id="sync-status" class="sync-status" role="status">
          ${tally.pending ? T.pending(tally.pending) : T.allSynced}
        </p>
        <p class="sync-detail">${detail}</p>
        ${tally.attention > 0 && html`
          <a class="attention-link" href="#/attention">${T.attention} ${tally.attention}</a>`}
      </div>
      <button type="button" class="sync-now" onClick=${onSync} disabled=${state.running}>
        ${T.syncNow}
      </button>
    </header>`;
}
