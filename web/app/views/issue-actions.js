// The actions on an issue, online only (they are not idempotent, so they are never queued):
// "上报", "办结" (with "办理结果"), "重新办理", "满意度回访" ("满意" / "不满意").
import { html, useState } from '/shared/html.js';
import { errorText } from '/shared/strings.js';
import { T } from '../strings.js';

export function IssueActions({ api, issue, onDone }) {
  const [open, setOpen] = useState(null); // 'resolve' | 'feedback'
  const [resolution, setResolution] = useState('');
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
  return html`
    <div class="issue-actions">
      ${issue.status === 'open' && html`
        <button type="button" disabled=${busy} onClick=${() => act('escalate', {})}>${T.escalate}</button>`}
      ${issue.status !== 'resolved' && html`
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
      ${open === 'feedback' && html`
        <div class="inline-form" role="group" aria-label=${T.feedback}>
          <button type="button" disabled=${busy} onClick=${() => act('feedback', { satisfied: true })}>${T.satisfied}</button>
          <button type="button" disabled=${busy} onClick=${() => act('feedback', { satisfied: false })}>${T.unsatisfied}</button>
        </div>`}
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
    </div>`;
}
