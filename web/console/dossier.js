// A household's dossier (一户一档) beside the list: its facts as the API returns them (phone and
// ID number masked for roles that may not see them), recent visits, open issues and moves;
// a township admin edits it here.

import { html, useState } from '/shared/html.js';
import { METHOD, CATEGORY, STATUS, HOUSEHOLD_KIND } from '/shared/strings.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Notice, time } from './ui.js';
import { microGridName } from './directory.js';

const H = S.HOUSEHOLDS;
const F = H.fields;

export function Dossier({ api, dir, id, canEdit, onSaved, onClose }) {
  const dossier = useLoad((signal) => api.request('GET', `/households/${id}`, { signal }), [id]);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState('');
  const h = dossier.data;

  return html`<section class="panel" aria-labelledby="dossier-h">
    <h2 id="dossier-h">${h ? h.name : H.dossier}</h2>
    <${ErrorNote} error=${dossier.error} />
    <${Notice} text=${notice} />
    ${h && !editing && html`
      <dl class="facts">
        <dt>${F.kind}</dt><dd>${HOUSEHOLD_KIND[h.kind]}</dd>
        <dt>${F.address}</dt><dd>${h.address}</dd>
        <dt>${F.microGrid}</dt><dd>${microGridName(dir, h.micro_grid_id)}</dd>
        <dt>${F.phone}</dt><dd>${h.phone || S.NONE}</dd>
        <dt>${F.id_number}</dt><dd>${h.id_number || S.NONE}</dd>
        <dt>${F.members}</dt><dd>${h.members ?? S.NONE}</dd>
        <dt>${F.tags}</dt><dd>${h.tags.length ? h.tags.join('、') : S.NONE}</dd>
        <dt>${F.note}</dt><dd>${h.note || S.NONE}</dd>
        <dt>${F.acquainted}</dt><dd>${h.acquainted_at ? time(h.acquainted_at) : H.no}</dd>
        <dt>${F.inGroup}</dt><dd>${h.in_group ? H.yes : H.no}</dd>
        <dt>${F.lastVisit}</dt><dd>${h.last_visited_at ? time(h.last_visited_at) : S.OVERVIEW.neverVisited}</dd>
      </dl>
      ${!canEdit && html`<p class="help">${H.masked}</p>`}
      <div class="actions">
        ${canEdit && html`<button type="button" onClick=${() => { setNotice(''); setEditing(true); }}>${H.edit}</button>`}
        <button type="button" class="quiet" onClick=${onClose}>${S.CLOSE}</button>
      </div>
      <h3>${H.recentVisits}</h3>
      ${h.recent_visits.length ? html`<table>
        <thead><tr><th scope="col">${H.visitCols.at}</th><th scope="col">${H.visitCols.method}</th><th scope="col">${H.visitCols.summary}</th></tr></thead>
        <tbody>${h.recent_visits.map((v) => html`<tr key=${v.id}><th scope="row">${time(v.visited_at)}</th>
          <td>${METHOD?.[v.method] ?? v.method}</td><td class="wrap">${v.summary || S.NONE}</td></tr>`)}</tbody>
      </table>` : html`<p>${H.noVisits}</p>`}
      <h3>${H.openIssues}</h3>
      ${h.open_issues.length ? html`<ul>${h.open_issues.map((i) => html`<li key=${i.id}>
        【${CATEGORY?.[i.category] ?? i.category}·${STATUS?.[i.status] ?? i.status}】${i.description}</li>`)}</ul>`
        : html`<p>${H.noIssues}</p>`}
      ${h.moves?.length > 0 && html`<h3>${H.moves}</h3><table>
        <thead><tr><th scope="col">${H.moveCols.at}</th><th scope="col">${H.moveCols.from}</th><th scope="col">${H.moveCols.to}</th></tr></thead>
        <tbody>${h.moves.map((m, i) => html`<tr key=${i}><th scope="row">${time(m.moved_at)}</th>
          <td>${microGridName(dir, m.from_micro_grid_id)}</td><td>${microGridName(dir, m.to_micro_grid_id)}</td></tr>`)}</tbody>
      </table>`}`}
    ${h && editing && html`<${EditHousehold} api=${api} household=${h} onCancel=${() => setEditing(false)}
      onSaved=${() => { setEditing(false); setNotice(H.saved); dossier.reload(); onSaved(); }} />`}
  </section>`;
}

// The editable fields, and how a form value becomes the PATCH value (blank optional → null).
const EDITABLE = [
  ['name', 'text', true], ['address', 'text', true], ['phone', 'tel'], ['id_number', 'text'],
  ['members', 'number'], ['tags', 'text'], ['note', 'textarea'],
];

function EditHousehold({ api, household, onCancel, onSaved }) {
  const [form, setForm] = useState(() => ({
    kind: household.kind,
    name: household.name,
    address: household.address,
    phone: household.phone || '',
    id_number: household.id_number || '',
    members: household.members ?? '',
    tags: household.tags.join('、'),
    note: household.note || '',
  }));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const save = async (e) => {
    e.preventDefault();
    const patch = { kind: form.kind, name: form.name.trim(), address: form.address.trim() };
    // Masked values come back as shown; send only what the clerk changed.
    for (const k of ['phone', 'id_number', 'note']) {
      const was = household[k] || '';
      if (form[k].trim() !== was) patch[k] = form[k].trim() || null;
    }
    patch.members = form.members === '' ? null : Number(form.members);
    patch.tags = form.tags.split(/[,，、;；]/).map((t) => t.trim()).filter(Boolean);
    setBusy(true);
    setError(null);
    try {
      await api.request('PATCH', `/households/${household.id}`, { body: patch });
      onSaved();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const input = ([key, type, required]) => html`<div class="field" key=${key}>
    <label for=${`ed-${key}`}>${F[key]}</label>
    ${type === 'textarea'
      ? html`<textarea id=${`ed-${key}`} value=${form[key]} onInput=${(e) => setForm({ ...form, [key]: e.target.value })} />`
      : html`<input id=${`ed-${key}`} type=${type} required=${required} value=${form[key]}
          min=${type === 'number' ? 1 : undefined} max=${type === 'number' ? 99 : undefined}
          aria-describedby=${key === 'tags' ? 'ed-tags-help' : undefined}
          onInput=${(e) => setForm({ ...form, [key]: e.target.value })} />`}
    ${key === 'tags' && html`<p class="help" id="ed-tags-help">${H.tagsHelp}</p>`}
  </div>`;

  return html`<form onSubmit=${save}>
    <div class="field"><label for="ed-kind">${F.kind}</label>
      <select id="ed-kind" value=${form.kind} onChange=${(e) => setForm({ ...form, kind: e.target.value })}>
        ${Object.entries(HOUSEHOLD_KIND).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
      </select></div>
    ${EDITABLE.map(input)}
    <${ErrorNote} error=${error} />
    <div class="actions">
      <button type="submit" disabled=${busy}>${S.SAVE}</button>
      <button type="button" class="quiet" onClick=${onCancel}>${S.CANCEL}</button>
    </div>
  </form>`;
}
