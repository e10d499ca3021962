// The dossier (一户一档): heading is the household's name; "拨打电话"; "最近走访" (the
// server's and the phone's own unsent ones) and "诉求". Opens from the phone's store; when
// the network answers, the server's newest data (and the ID number, shown online only, never
// stored) and the issue actions.
import { html, useEffect, useState } from '/shared/html.js';
import { CATEGORY, METHOD, STATUS } from '/shared/strings.js';
import { T, formatDate, formatTime } from '../strings.js';
import { IssueActions } from './issue-actions.js';
import { waitingAt } from '../tasks.js';

function ItemState({ item }) {
  if (!item) return null;
  return html`<span class="state state-${item.state}">${T.itemState[item.state]}</span>`;
}

export function Dossier({ api, store, id, queue, tasks, zone, sync, go }) {
  const [stored, setStored] = useState(undefined);
  const [live, setLive] = useState(null);
  const [issues, setIssues] = useState(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let gone = false;
    store.household(id).then((h) => !gone && setStored(h || null));
    api.request('GET', `/households/${id}`)
      .then((h) => !gone && setLive(h))
      .catch(() => {});
    api.request('GET', '/issues', { query: { household_id: id, per_page: 50 } })
      .then((page) => !gone && setIssues(page.items))
      .catch(() => !gone && setIssues(null));
    return () => { gone = true; };
  }, [id, version, queue.length]);

  const household = live || stored;
  if (household === undefined) return html`<p class="muted">${T.loading}</p>`;
  if (household === null) {
    document.title = `${T.notFound} · 连心`;
    return html`<h1 tabindex="-1">${T.notFound}</h1><p><a href="#/">${T.backToList}</a></p>`;
  }
  document.title = `${household.name} · 连心`;

  const mine = queue.filter((i) => i.body.household_id === id);
  const queuedVisits = mine.filter((i) => i.kind === 'visit');
  const queuedIssues = mine.filter((i) => i.kind === 'issue');
  const queuedIds = new Set(mine.map((i) => i.id));
  const serverVisits = (household.recent_visits || []).filter((v) => !queuedIds.has(v.id));
  const serverIssues = (issues || household.open_issues || []).filter((i) => !queuedIds.has(i.id));
  const acquainted = household.acquainted_at || queuedVisits.some((v) => v.body.acquainted);
  const inGroup = household.in_group || queuedVisits.some((v) => v.body.joined_group);

  const refresh = () => {
    setVersion((v) => v + 1);
    sync.run('action');
  };

  return html`
    <p class="back"><a href="#/">${T.backToList}</a></p>
    <h1 tabindex="-1">${household.name}</h1>
    <p class="address">${household.address}${household.phone ? ` · ${T.phone} ${household.phone}` : ''}</p>
    <p class="facts">
      ${household.members ? html`<span>${T.members(household.members)}</span>` : ''}
      <span>${acquainted ? T.acquainted : T.notAcquainted}</span>
      <span>${inGroup ? T.inGroup : T.notInGroup}</span>
      ${(household.tags || []).map((tag) => html`<span class="tag">${tag}</span>`)}
    </p>
    ${live?.id_number && html`<p class="muted">身份证号 ${live.id_number}</p>`}
    ${waitingAt(tasks, id).map((task) => html`
      <p class="task-waiting" key=${task.id}>${T.taskWaiting}
        <a href="#/h/${id}/visit/${task.id}" aria-label=${T.taskWaitingLink(task.title)}>${task.title}</a></p>`)}
    ${household.note && html`<p class="note">${household.note}</p>`}
    <div class="actions">
      ${household.phone && html`<a class="button call" href="tel:${household.phone}">${T.call}</a>`}
      <button type="button" class="primary" onClick=${() => go(`/h/${id}/visit`)}>${T.recordVisit}</button>
      <button type="button" onClick=${() => go(`/h/${id}/issue`)}>${T.raiseIssue}</button>
    </div>

    <section aria-labelledby="visits-heading">
      <h2 id="visits-heading">${T.recentVisits}</h2>
      ${queuedVisits.length + serverVisits.length === 0 ? html`<p class="muted">${T.noVisits}</p>` : html`
        <ul class="entries">
          ${[...queuedVisits].reverse().map((item) => html`
            <li key=${item.id}>
              <span class="when">${formatTime(item.body.visited_at, zone.timeZone)}</span>
              <span class="method">${METHOD[item.body.method]}</span>
              <${ItemState} item=${item} />
              ${item.body.summary && html`<p>${item.body.summary}</p>`}
            </li>`)}
          ${serverVisits.map((visit) => html`
            <li key=${visit.id}>
              <span class="when">${formatTime(visit.visited_at, zone.timeZone)}</span>
              <span class="method">${METHOD[visit.method]}</span>
              ${visit.summary && html`<p>${visit.summary}</p>`}
            </li>`)}
        </ul>`}
    </section>

    <section aria-labelledby="issues-heading">
      <h2 id="issues-heading">${T.issues}</h2>
      ${queuedIssues.length + serverIssues.length === 0 ? html`<p class="muted">${T.noIssues}</p>` : html`
        <ul class="entries">
          ${queuedIssues.map((item) => html`
            <li key=${item.id}>
              <span class="category">${CATEGORY[item.body.category]}</span>
              <${ItemState} item=${item} />
              <p>${item.body.description}</p>
            </li>`)}
          ${serverIssues.map((issue) => html`
            <li key=${issue.id}>
              <span class="category">${CATEGORY[issue.category]}</span>
              <span class="status status-${issue.status}">${STATUS[issue.status]}</span>
              <span class="muted">${T.raisedOn(formatDate(issue.raised_at, zone.timeZone))}</span>
              ${issue.due_on && issue.status !== 'resolved' && html`<span class=${issue.overdue ? 'overdue' : issue.due_soon ? 'due-soon' : 'muted'}>${T.dueOn(issue.due_on)}${issue.overdue ? `（${T.overdue}）` : issue.due_soon ? `（${T.dueSoon}）` : ''}</span>`}
              <p>${issue.description}</p>
              ${issue.resolution && html`<p class="muted">${T.resolution}：${issue.resolution}</p>`}
              ${issues && html`<${IssueActions} api=${api} issue=${issue} onDone=${refresh} />`}
            </li>`)}
        </ul>`}
    </section>
  `;
}
