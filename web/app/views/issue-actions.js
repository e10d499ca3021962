// The actions on an issue, online only (they are not idempotent, so they are never queued):
// "上报", "办结" (with "办理结果"), "重新办理", "满意度回访" ("满意" / "不满意"); on an issue a
// township office reports done, "验收通过" or "退回重办" (with "验收意见"). While an office
// holds it (assigned, accepted) the leader only follows it: its time limit is shown.
import { html, useState } from '/shared/html.js';
import { errorText } from '/shared/strings.js';
import { T } from '../strings.js';

export function IssueActions({ api, issue, onDone }) {
  const [open, setOpen] = useState(null); // 'resolve' | 'feedback' | 'rework'
  const [resolution, setResolution] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');

  async function act(action, body) {
    setBusy(true);
    setProblem('');
    try {
      await api.request('POST', `/issues/${issue.id}/${action}`, { body });
      setOpen(null);
      onDone();
    } catch (error) {
      setProblem(error.status === 0 ? T.onlyOnline : errorText(error));
    } finally {
      setBusy(false);
    }
  }

  const resolveId = `resolution-${issue.id}`;
  const noteId = `verify-note-${issue.id}`;
  return html`
    <div class="issue-actions">
      ${issue.status === 'open' && html`
        <button type="button" disabled=${busy} onClick=${() => act('escalate', {})}>${T.escalate}</button>`}
      ${(issue.status === 'open' || issue.status === 'escalated') && html`
        <button type="button" disabled=${busy} aria-expanded=${open === 'resolve'}
          onClick=${() => setOpen(open === 'resolve' ? null : 'resolve')}>${T.resolve}</button>`}
      ${issue.status === 'resolved' && html`
        <button type="button" disabled=${busy} onClick=${() => act('reopen', {})}>${T.reopen}</button>`}
      ${issue.status === 'resolved' && issue.satisfied === null && html`
        <button type="button" disabled=${busy} aria-expanded=${open === 'feedback'}
          onClick=${() => setOpen(open === 'feedback' ? null : 'feedback')}>${T.feedback}</button>`}
      ${open === 'resolve' && html`
        <form class="inline-form" onSubmit=${(e) => { e.preventDefault(); act('resolve', { resolution }); }}>
          <label for=${resolveId}>${T.resolution}</label>
          <textarea id=${resolveId} value=${resolution} onInput=${(e) => setResolution(e.target.value)} />
          <button type="submit" class="primary" disabled=${busy}>${T.confirm}</button>
        </form>`}
      ${issue.status === 'done' && html`
        <button type="button" disabled=${busy} onClick=${() => act('verify', { fixed: true })}>${T.verifyFixed}</button>
        <button type="button" disabled=${busy} aria-expanded=${open === 'rework'}
          onClick=${() => setOpen(open === 'rework' ? null : 'rework')}>${T.verifyRework}</button>`}
      ${open === 'rework' && html`
        <form class="inline-form" onSubmit=${(e) => { e.preventDefault(); act('verify', { fixed: false, note }); }}>
          <label for=${noteId}>${T.verifyNote}</label>
          <textarea id=${noteId} value=${note} onInput=${(e) => setNote(e.target.value)} />
          <button type="submit" class="primary" disabled=${busy}>${T.confirm}</button>
        </form>`}
      ${open === 'feedback' && html`
        <div class="inline-form" role="group" aria-label=${T.feedback}>
          <button type="button" disabled=${busy} onClick=${() => act('feedback', { satisfied: true })}>${T.satisfied}</button>
          <button type="button" disabled=${busy} onClick=${() => act('feedback', { satisfied: false })}>${T.unsatisfied}</button>
        </div>`}
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
    </div>`;
}
