// "记录走访": "方式" (上门, 电话, 群内, 其他), "走访情况", "认亲" while the household is not yet
// acquainted, "入群" while it is not in the group, "同时完成任务" while a task sent down waits
// at this household (one visit serves both: no second entry); "保存" stores the visit on the
// phone with its UUID v7 at once and leaves the form. No network needed: the sync sends it.
import { html, useState } from '/shared/html.js';
import { METHOD } from '/shared/strings.js';
import { T } from '../strings.js';
import { uuidv7 } from '../uuid.js';
import { saveItem } from './save.js';
import { waitingAt } from '../tasks.js';

export function newVisit(household, { method, summary, acquainted = false, joinedGroup = false, taskId = null }) {
  const id = uuidv7();
  return {
    id,
    kind: 'visit',
    state: 'pending',
    savedAt: new Date().toISOString(),
    household: { id: household.id, name: household.name, address: household.address },
    error: null,
    body: {
      id,
      household_id: household.id,
      visited_at: new Date().toISOString(),
      method,
      summary,
      acquainted,
      joined_group: joinedGroup,
      ...(taskId ? { task_id: taskId } : {}),
    },
  };
}

export function VisitForm({ store, id, task, tasks, households, queue, saved, go }) {
  const household = (households || []).find((h) => h.id === id);
  const waiting = waitingAt(tasks, id);
  const [taskId, setTaskId] = useState(waiting.some((t) => t.id === task) ? task : '');
  const [method, setMethod] = useState('door');
  const [summary, setSummary] = useState('');
  const [acquainted, setAcquainted] = useState(false);
  const [joinedGroup, setJoinedGroup] = useState(false);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  if (!household) return html`<h1 tabindex="-1">${T.notFound}</h1><p><a href="#/">${T.backToList}</a></p>`;
  document.title = `${T.visitHeading(household.name)} · 连心`;

  const mine = queue.filter((i) => i.kind === 'visit' && i.body.household_id === id);
  const showAcquaint = !household.acquainted_at && !mine.some((i) => i.body.acquainted);
  const showGroup = !household.in_group && !mine.some((i) => i.body.joined_group);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    const item = newVisit(household, {
      method,
      summary: summary.trim(),
      acquainted: showAcquaint && acquainted,
      joinedGroup: showGroup && joinedGroup,
      taskId: waiting.some((t) => t.id === taskId) ? taskId : null,
    });
    const failure = await saveItem(store, item);
    if (failure) {
      setProblem(failure);
      setBusy(false);
      return;
    }
    // Opened from a task: back to it, to the next household left.
    saved(T.savedOffline, task && taskId === task ? `/task/${task}` : `/h/${id}`);
  }

  return html`
    <h1 tabindex="-1">${T.visitHeading(household.name)}</h1>
    <p class="address">${household.address}</p>
    <form onSubmit=${submit}>
      <fieldset class="methods">
        <legend>${T.method}</legend>
        ${Object.entries(METHOD).map(([value, label]) => html`
          <label class="choice" key=${value}>
            <input type="radio" name="method" value=${value} checked=${method === value}
              onChange=${() => setMethod(value)} />
            ${label}
          </label>`)}
      </fieldset>
      <label for="summary">${T.summary}</label>
      <textarea id="summary" maxlength="2000" placeholder=${T.summaryHint} value=${summary}
        onInput=${(e) => setSummary(e.target.value)} />
      ${showAcquaint && html`
        <div class="choice">
          <input id="acquaint" type="checkbox" aria-describedby="acquaint-hint" checked=${acquainted}
            onChange=${(e) => setAcquainted(e.target.checked)} />
          <label for="acquaint">${T.acquaint}</label>
          <span id="acquaint-hint" class="hint">${T.acquaintHint}</span>
        </div>`}
      ${showGroup && html`
        <div class="choice">
          <input id="join-group" type="checkbox" aria-describedby="join-group-hint" checked=${joinedGroup}
            onChange=${(e) => setJoinedGroup(e.target.checked)} />
          <label for="join-group">${T.joinGroup}</label>
          <span id="join-group-hint" class="hint">${T.joinGroupHint}</span>
        </div>`}
      ${waiting.length > 0 && html`
        <fieldset class="task-choices">
          <legend>${T.alsoTask}</legend>
          <label class="choice">
            <input type="radio" name="task" value="" checked=${!taskId} onChange=${() => setTaskId('')} />
            ${T.noTask}
          </label>
          ${waiting.map((t) => html`
            <label class="choice" key=${t.id}>
              <input type="radio" name="task" value=${t.id} checked=${taskId === t.id}
                onChange=${() => setTaskId(t.id)} />
              ${t.title}
            </label>`)}
        </fieldset>`}
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy}>${T.save}</button>
        <button type="button" onClick=${() => go(task ? `/task/${task}` : `/h/${id}`)}>${T.cancel}</button>
      </div>
    </form>`;
}
