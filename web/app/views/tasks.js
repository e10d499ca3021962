// "任务": what the township sent down (任务下发). On the due list, each open task with how far
// it is; a task's own view lists its households, those left first, each with "记录走访"
// opening the visit form already linked to the task (one visit serves both). Everything
// here is read from the phone, so it works without network; no ranking of anyone.
import { html } from '/shared/html.js';
import { T, formatDate } from '../strings.js';

function Progress({ task }) {
  return html`
    <span class="task-progress">
      <progress value=${task.done} max=${task.total} aria-label=${T.taskProgressLabel(task.title)}></progress>
      ${T.taskDone(task.done, task.total)}
    </span>`;
}

function When({ task, zone }) {
  return html`
    <span class=${task.late ? 'overdue' : 'muted'}>
      ${T.taskDue(formatDate(`${task.due_on}T12:00:00Z`, zone.timeZone))}${task.repeat ? ` · ${T.repeat[task.repeat]}` : ''}
      ${task.late ? `（${T.overdue}）` : ''}
    </span>`;
}

export function TaskList({ tasks, zone }) {
  if (!tasks.length) return null;
  return html`
    <section class="tasks" aria-labelledby="tasks-heading">
      <h2 id="tasks-heading">${T.tasks(tasks.length)}</h2>
      <ul>
        ${tasks.map((task) => html`
          <li key=${task.id}>
            <a href="#/task/${task.id}">
              <span class="name">${task.title}</span>
              <${Progress} task=${task} />
              <${When} task=${task} zone=${zone} />
            </a>
          </li>`)}
      </ul>
    </section>`;
}

export function TaskView({ id, tasks, households, zone }) {
  const task = tasks.find((t) => t.id === id);
  if (!task) {
    document.title = `${T.taskGone} · 连心`;
    return html`<h1 tabindex="-1">${T.taskGone}</h1><p><a href="#/">${T.backToList}</a></p>`;
  }
  document.title = `${task.title} · 连心`;
  const byId = new Map((households || []).map((h) => [h.id, h]));
  const rows = task.members.map((m) => ({ ...m, household: byId.get(m.household_id) }))
    .filter((r) => r.household);
  const left = rows.filter((r) => !r.done);
  const done = rows.filter((r) => r.done);
  return html`
    <p class="back"><a href="#/">${T.backToList}</a></p>
    <h1 tabindex="-1">${task.title}</h1>
    ${task.description && html`<p class="note">${task.description}</p>`}
    <p class="facts"><${When} task=${task} zone=${zone} /></p>
    ${task.round_start && html`<p class="muted">${T.taskRound(formatDate(`${task.round_start}T12:00:00Z`, zone.timeZone))}</p>`}
    <p><${Progress} task=${task} /></p>
    <section aria-labelledby="task-left-heading">
      <h2 id="task-left-heading">${T.taskLeft(left.length)}</h2>
      ${left.length === 0 ? html`<p class="empty">${T.taskAllDone}</p>` : html`
        <ul class="entries" aria-label=${T.taskLeft(left.length)}>
          ${left.map((r) => html`
            <li key=${r.household_id}>
              <p><strong>${r.household.name}</strong></p>
              <p class="muted">${r.household.address}</p>
              <a class="button primary" href="#/h/${r.household_id}/visit/${task.id}"
                aria-label=${`${T.recordVisit} · ${r.household.name}`}>${T.recordVisit}</a>
            </li>`)}
        </ul>`}
    </section>
    ${done.length > 0 && html`
      <section aria-labelledby="task-done-heading">
        <h2 id="task-done-heading">${T.taskDoneHeading(done.length)}</h2>
        <ul class="entries" aria-label=${T.taskDoneHeading(done.length)}>
          ${done.map((r) => html`
            <li key=${r.household_id}><a href="#/h/${r.household_id}">${r.household.name}</a> <span class="done-mark">✓ ${T.taskDoneMark}</span></li>`)}
        </ul>
      </section>`}`;
}
