// One issue: its facts, its history and the actions the caller's role may take in its status —
// the phone app's (上报, 办结, 重新办理, 满意度回访) for admins and supervisors, and the
// department's path (issue-steps.js). Actions are not idempotent: after a 409 the issue is
// read again rather than the action retried.

import { html, useState } from '/shared/html.js';
import { CATEGORY, STATUS } from '/shared/strings.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Notice, time } from './ui.js';
import { userName, microGridName } from './directory.js';
import { WorkflowSteps } from './issue-steps.js';

const I = S.ISSUES;
export const statusName = (s) => STATUS?.[s] ?? s;
export const categoryName = (c) => CATEGORY?.[c] ?? c;

export function IssuePanel({ api, role, dir, departments, id, onChanged }) {
  const detail = useLoad((signal) => api.request('GET', `/issues/${id}`, { signal }), [id]);
  const [note, setNote] = useState('');
  const [resolution, setResolution] = useState('');
  const [feedback, setFeedback] = useState(false);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const issue = detail.data;

  /** Takes one step; true when the server took it. */
  const act = async (action, body) => {
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      await api.request('POST', `/issues/${id}/${action}`, { body });
      setNote('');
      setResolution('');
      setFeedback(false);
      setNotice(I.done);
      onChanged();
      return true;
    } catch (err) {
      setError(err.status === 409 ? new Error(I.conflict) : err);
      return false;
    } finally {
      setBusy(false);
      detail.reload();
    }
  };
  const withComment = (body) => (note.trim() ? { ...body, comment: note.trim() } : body);
  const office = role === 'tenant_admin' || role === 'supervisor';
  const waiting = office && issue && (issue.status === 'open' || issue.status === 'escalated');
  const deptName = (did) => departments.find((d) => d.id === did)?.name || '';

  return html`<section class="panel" aria-labelledby="ip-h">
    <h2 id="ip-h">${issue ? `${categoryName(issue.category)}：${statusName(issue.status)}` : S.LOADING}</h2>
    <${ErrorNote} error=${detail.error || error} />
    <${Notice} text=${notice} />
    ${issue && html`
      <p>${issue.description}</p>
      <dl class="facts">
        <dt>${I.cols.raised}</dt><dd>${time(issue.raised_at)}</dd>
        ${dir && html`<dt>${S.HOUSEHOLDS.fields.microGrid}</dt><dd>${microGridName(dir, issue.micro_grid_id)}</dd>`}
        ${issue.department_id && html`<dt>${I.department}</dt><dd>${deptName(issue.department_id)}</dd>`}
        ${issue.due_on && html`<dt>${I.due}</dt><dd><${Due} issue=${issue} /></dd>`}
        ${issue.extension_requested && html`<dt>${I.extensionHeading}</dt><dd>${I.extensionPending}</dd>`}
        ${issue.resolution && html`<dt>${I.resolutionLabel}</dt><dd>${issue.resolution}</dd>`}
        ${issue.satisfied != null && html`<dt>${I.feedbackLabel}</dt><dd>${issue.satisfied ? I.satisfied : I.unsatisfied}</dd>`}
      </dl>
      ${waiting && html`<div class="field wide"><label for="ip-resolution">${I.resolution}</label>
          <textarea id="ip-resolution" value=${resolution} onInput=${(e) => setResolution(e.target.value)} /></div>
        <div class="actions"><button type="button" disabled=${busy || !resolution.trim()}
          onClick=${() => act('resolve', { resolution: resolution.trim() })}>${I.resolve}</button></div>`}
      ${office && (issue.status === 'open' || issue.status === 'resolved') && html`<div class="field wide">
        <label for="ip-note">${issue.status === 'resolved' ? `${I.note}／${I.comment}` : I.note}</label>
        <textarea id="ip-note" value=${note} onInput=${(e) => setNote(e.target.value)} /></div>`}
      ${office && html`<div class="actions">
        ${issue.status === 'open' && html`<button type="button" disabled=${busy} onClick=${() => act('escalate', { note: note.trim() })}>${I.escalate}</button>`}
        ${issue.status === 'resolved' && html`<button type="button" disabled=${busy} onClick=${() => act('reopen', { note: note.trim() })}>${I.reopen}</button>`}
        ${issue.status === 'resolved' && issue.satisfied == null && html`<button type="button" aria-expanded=${feedback}
          onClick=${() => setFeedback(!feedback)}>${I.feedback}</button>`}
      </div>`}
      ${feedback && html`<fieldset><legend>${I.feedback}</legend><div class="actions">
        <button type="button" disabled=${busy} onClick=${() => act('feedback', withComment({ satisfied: true }))}>${I.satisfied}</button>
        <button type="button" disabled=${busy} onClick=${() => act('feedback', withComment({ satisfied: false }))}>${I.unsatisfied}</button>
      </div></fieldset>`}
      <${WorkflowSteps} issue=${issue} role=${role} departments=${departments} busy=${busy} act=${act} />
      <h3>${I.events}</h3>
      <table><thead><tr>${Object.values(I.eventCols).map((c) => html`<th scope="col" key=${c}>${c}</th>`)}</tr></thead>
        <tbody>${(issue.events || []).map((ev) => html`<tr key=${ev.id}>
          <th scope="row">${time(ev.at)}</th><td>${I.action[ev.action] ?? ev.action}</td>
          <td>${dir ? userName(dir, ev.actor_id) : ''}</td><td class="wrap">${ev.note || S.NONE}</td>
        </tr>`)}</tbody></table>`}
  </section>`;
}

/** The due date; a late one says 已超期 in words, not only in red. */
export function Due({ issue }) {
  if (!issue.due_on) return S.NONE;
  return issue.overdue ? html`<span class="overdue">${issue.due_on}（${I.overdue}）</span>` : issue.due_on;
}
