// 诉求: the township's issues filtered by status and category; on one issue its history and
// the actions the phone app has (上报, 办结, 重新办理, 满意度回访). Actions are not idempotent:
// after a 409 the issue is read again rather than the action retried.

import { html, useState } from '/shared/html.js';
import { CATEGORY, STATUS } from '/shared/strings.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Notice, Pager, time } from './ui.js';
import { directory, userName, microGridName } from './directory.js';

const I = S.ISSUES;
const STATUSES = ['open', 'escalated', 'resolved'];
const CATEGORIES = ['road', 'housing', 'land', 'welfare', 'other'];
const PER_PAGE = 50;
const statusName = (s) => STATUS?.[s] ?? s;
const categoryName = (c) => CATEGORY?.[c] ?? c;

export function Issues({ api }) {
  const [filter, setFilter] = useState({ status: '', category: '', page: 1 });
  const [openId, setOpenId] = useState(null);
  const dir = useLoad(() => directory(api), []);
  const list = useLoad((signal) => {
    const query = { page: filter.page, per_page: PER_PAGE };
    if (filter.status) query.status = filter.status;
    if (filter.category) query.category = filter.category;
    return api.request('GET', '/issues', { query, signal });
  }, [filter.status, filter.category, filter.page]);
  const set = (k) => (e) => setFilter({ ...filter, [k]: e.target.value, page: 1 });

  return html`<section>
    <h1 tabindex="-1">${I.heading}</h1>
    <form class="bar panel" onSubmit=${(e) => e.preventDefault()}>
      <div class="field"><label for="is-status">${I.status}</label>
        <select id="is-status" value=${filter.status} onChange=${set('status')}>
          <option value="">${S.ALL}</option>
          ${STATUSES.map((s) => html`<option key=${s} value=${s}>${statusName(s)}</option>`)}
        </select></div>
      <div class="field"><label for="is-category">${I.category}</label>
        <select id="is-category" value=${filter.category} onChange=${set('category')}>
          <option value="">${S.ALL}</option>
          ${CATEGORIES.map((c) => html`<option key=${c} value=${c}>${categoryName(c)}</option>`)}
        </select></div>
    </form>
    <${ErrorNote} error=${list.error} />
    <div class="columns">
      <div>
        ${list.data && (list.data.items.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
          <caption class="sr-only">${I.caption}</caption>
          <thead><tr><th scope="col">${I.cols.raised}</th><th scope="col">${I.cols.category}</th>
            <th scope="col">${I.cols.description}</th><th scope="col">${I.cols.status}</th></tr></thead>
          <tbody>${list.data.items.map((i) => html`<tr key=${i.id} class=${i.id === openId ? 'chosen' : ''}>
            <td>${time(i.raised_at)}</td><td>${categoryName(i.category)}</td>
            <th scope="row"><button type="button" class="link" aria-pressed=${i.id === openId} onClick=${() => setOpenId(i.id)}>${i.description}</button></th>
            <td>${statusName(i.status)}</td>
          </tr>`)}</tbody>
        </table></div>` : html`<p>${I.none}</p>`)}
        ${list.data && html`<${Pager} page=${filter.page} perPage=${PER_PAGE} total=${list.data.total} onPage=${(page) => setFilter({ ...filter, page })} />`}
      </div>
      ${openId && html`<${IssuePanel} key=${openId} api=${api} dir=${dir.data} id=${openId} onChanged=${() => list.reload()} />`}
    </div>
  </section>`;
}

function IssuePanel({ api, dir, id, onChanged }) {
  const detail = useLoad((signal) => api.request('GET', `/issues/${id}`, { signal }), [id]);
  const [note, setNote] = useState('');
  const [resolution, setResolution] = useState('');
  const [feedback, setFeedback] = useState(false);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const issue = detail.data;

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
    } catch (err) {
      setError(err.status === 409 ? new Error(I.conflict) : err);
    } finally {
      setBusy(false);
      detail.reload();
    }
  };
  const withComment = (body) => (note.trim() ? { ...body, comment: note.trim() } : body);
  const waiting = issue && (issue.status === 'open' || issue.status === 'escalated');

  return html`<section class="panel" aria-labelledby="ip-h">
    <h2 id="ip-h">${issue ? `${categoryName(issue.category)}：${statusName(issue.status)}` : S.LOADING}</h2>
    <${ErrorNote} error=${detail.error || error} />
    <${Notice} text=${notice} />
    ${issue && html`
      <p>${issue.description}</p>
      <dl class="facts">
        <dt>${I.cols.raised}</dt><dd>${time(issue.raised_at)}</dd>
        ${dir && html`<dt>${S.HOUSEHOLDS.fields.microGrid}</dt><dd>${microGridName(dir, issue.micro_grid_id)}</dd>`}
        ${issue.resolution && html`<dt>${I.resolutionLabel}</dt><dd>${issue.resolution}</dd>`}
        ${issue.satisfied != null && html`<dt>${I.feedbackLabel}</dt><dd>${issue.satisfied ? I.satisfied : I.unsatisfied}</dd>`}
      </dl>
      ${waiting && html`<div class="field wide"><label for="ip-resolution">${I.resolution}</label>
          <textarea id="ip-resolution" value=${resolution} onInput=${(e) => setResolution(e.target.value)} /></div>
        <div class="actions"><button type="button" disabled=${busy || !resolution.trim()}
          onClick=${() => act('resolve', { resolution: resolution.trim() })}>${I.resolve}</button></div>`}
      ${(issue.status === 'open' || issue.status === 'resolved') && html`<div class="field wide">
        <label for="ip-note">${issue.status === 'resolved' ? `${I.note}／${I.comment}` : I.note}</label>
        <textarea id="ip-note" value=${note} onInput=${(e) => setNote(e.target.value)} /></div>`}
      <div class="actions">
        ${issue.status === 'open' && html`<button type="button" disabled=${busy} onClick=${() => act('escalate', { note: note.trim() })}>${I.escalate}</button>`}
        ${issue.status === 'resolved' && html`<button type="button" disabled=${busy} onClick=${() => act('reopen', { note: note.trim() })}>${I.reopen}</button>`}
        ${issue.status === 'resolved' && issue.satisfied == null && html`<button type="button" aria-expanded=${feedback}
          onClick=${() => setFeedback(!feedback)}>${I.feedback}</button>`}
      </div>
      ${feedback && html`<fieldset><legend>${I.feedback}</legend><div class="actions">
        <button type="button" disabled=${busy} onClick=${() => act('feedback', withComment({ satisfied: true }))}>${I.satisfied}</button>
        <button type="button" disabled=${busy} onClick=${() => act('feedback', withComment({ satisfied: false }))}>${I.unsatisfied}</button>
      </div></fieldset>`}
      <h3>${I.events}</h3>
      <table><thead><tr>${Object.values(I.eventCols).map((c) => html`<th scope="col" key=${c}>${c}</th>`)}</tr></thead>
        <tbody>${(issue.events || []).map((ev) => html`<tr key=${ev.id}>
          <th scope="row">${time(ev.at)}</th><td>${I.action[ev.action] ?? ev.action}</td>
          <td>${dir ? userName(dir, ev.actor_id) : ''}</td><td class="wrap">${ev.note || S.NONE}</td>
        </tr>`)}</tbody></table>`}
  </section>`;
}
