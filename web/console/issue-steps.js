// The department's path of an issue, as far as the caller's role may take it:
// 交办 (admin, supervisor; open|escalated), 签收 (handler; assigned), 办结 and 申请延期
// (handler; accepted), 批准延期/不批准 (admin; a request waiting), 验收 (admin; done).

import { html, useState } from '/shared/html.js';
import * as S from './strings.js';

const I = S.ISSUES;

export function WorkflowSteps({ issue, role, departments, busy, act }) {
  const [dept, setDept] = useState('');
  const [dueDays, setDueDays] = useState('');
  const [result, setResult] = useState('');
  const [days, setDays] = useState('');
  const [reason, setReason] = useState('');
  const [verifyNote, setVerifyNote] = useState('');
  const admin = role === 'tenant_admin';
  const office = admin || role === 'supervisor';
  const handler = role === 'handler';
  const st = issue.status;
  const clear = (ok) => { if (ok) { setResult(''); setDays(''); setReason(''); setVerifyNote(''); } };
  const note = verifyNote.trim();

  const assign = (e) => {
    e.preventDefault();
    const body = { department_id: dept };
    if (dueDays.trim()) body.due_days = Number(dueDays);
    act('assign', body);
  };

  return html`
    ${office && (st === 'open' || st === 'escalated') && html`<form onSubmit=${assign}><fieldset>
      <legend>${I.assignHeading}</legend>
      <div class="field"><label for="wf-dept">${I.assignTo}</label>
        <select id="wf-dept" required value=${dept} onChange=${(e) => setDept(e.target.value)}>
          <option value="">${S.CHOOSE}</option>
          ${departments.map((d) => html`<option key=${d.id} value=${d.id}>${d.name}</option>`)}
        </select></div>
      <div class="field"><label for="wf-days">${I.dueDays}</label>
        <input id="wf-days" type="number" min="1" max="60" inputmode="numeric" value=${dueDays}
          aria-describedby="wf-days-help" onInput=${(e) => setDueDays(e.target.value)} />
        <p class="help" id="wf-days-help">${I.dueDaysHelp}</p></div>
      <div class="actions"><button type="submit" disabled=${busy || !dept}>${I.assign}</button></div>
    </fieldset></form>`}
    ${handler && st === 'assigned' && html`<div class="actions">
      <button type="button" disabled=${busy} onClick=${() => act('accept', {})}>${I.accept}</button></div>`}
    ${handler && st === 'accepted' && html`<form onSubmit=${async (e) => { e.preventDefault(); clear(await act('done', { resolution: result.trim() })); }}><fieldset>
      <legend>${I.finishHeading}</legend>
      <div class="field wide"><label for="wf-result">${I.resolution}</label>
        <textarea id="wf-result" required value=${result} onInput=${(e) => setResult(e.target.value)} /></div>
      <div class="actions"><button type="submit" disabled=${busy || !result.trim()}>${I.finish}</button></div>
    </fieldset></form>`}
    ${handler && st === 'accepted' && !issue.extension_requested && html`<form
      onSubmit=${async (e) => { e.preventDefault(); clear(await act('extend', { days: Number(days), reason: reason.trim() })); }}><fieldset>
      <legend>${I.extendHeading}</legend>
      <div class="field"><label for="wf-ext-days">${I.extendDays}</label>
        <input id="wf-ext-days" type="number" min="1" max="30" inputmode="numeric" required value=${days}
          onInput=${(e) => setDays(e.target.value)} /></div>
      <div class="field wide"><label for="wf-ext-reason">${I.extendReason}</label>
        <textarea id="wf-ext-reason" required value=${reason} onInput=${(e) => setReason(e.target.value)} /></div>
      <div class="actions"><button type="submit" disabled=${busy || !days || !reason.trim()}>${I.extend}</button></div>
    </fieldset></form>`}
    ${admin && issue.extension_requested && html`<fieldset><legend>${I.extensionHeading}</legend><div class="actions">
      <button type="button" disabled=${busy} onClick=${() => act('extension', { granted: true })}>${I.grant}</button>
      <button type="button" disabled=${busy} onClick=${() => act('extension', { granted: false })}>${I.refuse}</button>
    </div></fieldset>`}
    ${admin && st === 'done' && html`<fieldset><legend>${I.verifyHeading}</legend>
      <div class="field wide"><label for="wf-verify">${I.verifyNote}</label>
        <textarea id="wf-verify" value=${verifyNote} onInput=${(e) => setVerifyNote(e.target.value)} /></div>
      <div class="actions">
        <button type="button" disabled=${busy} onClick=${async () => clear(await act('verify', note ? { fixed: true, note } : { fixed: true }))}>${I.verifyPass}</button>
        <button type="button" disabled=${busy || !note} onClick=${async () => clear(await act('verify', { fixed: false, note }))}>${I.verifyFail}</button>
      </div></fieldset>`}`;
}
