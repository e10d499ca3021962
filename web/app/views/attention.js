// "需处理": what the server refused for good (404: "该户已不在您的网格", 409: "与已保存的记录不
// 一致", 422: the field and the reason), each keeping the leader's text. A 422 item is corrected
// here and sent again under the same id (nothing was stored under it).
import { html, useState } from '/shared/html.js';
import { CATEGORY, METHOD, fieldProblems } from '/shared/strings.js';
import { T, formatTime } from '../strings.js';
import { saveItem } from './save.js';

function reasons(item) {
  const error = item.error || {};
  if (error.status === 404) return [T.reason404];
  if (error.status === 409) return [T.reason409];
  const fields = fieldProblems(error.fields);
  return fields.length ? fields : [error.message || T.itemState.attention];
}

function keptText(item) {
  return item.kind === 'visit' ? item.body.summary : item.body.description;
}

export function Attention({ store, queue, zone }) {
  document.title = `${T.attentionHeading} · 连心`;
  const items = queue.filter((i) => i.state === 'attention');

  async function dismiss(item) {
    // The text goes for good: only when the leader says so, after seeing it.
    if (window.confirm(`${T.dismiss}？\n${keptText(item) || ''}`)) await store.remove([item.id]);
  }

  return html`
    <p class="back"><a href="#/">${T.backToList}</a></p>
    <h1 tabindex="-1">${T.attentionHeading}</h1>
    <p class="muted">${T.attentionHint}</p>
    ${items.length === 0 ? html`<p class="empty">${T.attentionEmpty}</p>` : html`
      <ul class="entries attention" aria-label=${T.attentionHeading}>
        ${items.map((item) => html`
          <li key=${item.id}>
            <p><strong>${item.kind === 'visit' ? T.kindVisit : T.kindIssue} · ${item.household?.name || ''}</strong>
              <span class="state state-attention">${T.itemState.attention}</span></p>
            <p class="muted">${item.household?.address || ''}
              ${item.kind === 'visit' ? ` · ${METHOD[item.body.method]} · ${formatTime(item.body.visited_at, zone.timeZone)}`
                : ` · ${CATEGORY[item.body.category]}`}</p>
            <ul class="reasons">${reasons(item).map((r) => html`<li class="problem">${r}</li>`)}</ul>
            ${keptText(item) && html`
              <p class="muted">${T.keptText}</p>
              <blockquote class="kept">${keptText(item)}</blockquote>`}
            <div class="actions">
              ${item.error?.status === 422 && html`<a class="button primary" href="#/attention/${item.id}">${T.fixAndResend}</a>`}
              <button type="button" onClick=${() => dismiss(item)}>${T.dismiss}</button>
            </div>
          </li>`)}
      </ul>`}`;
}

// datetime-local's value in the phone's zone: "2026-11-30T14:05".
function localInput(iso) {
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function FixItem({ store, id, queue, saved }) {
  const item = queue.find((i) => i.id === id);
  const [visitedAt, setVisitedAt] = useState(item?.kind === 'visit' ? localInput(item.body.visited_at) : '');
  const [text, setText] = useState(item ? keptText(item) : '');
  const [method, setMethod] = useState(item?.body.method || 'door');
  const [category, setCategory] = useState(item?.body.category || 'other');
  const [problem, setProblem] = useState('');
  document.title = `${T.fixAndResend} · 连心`;
  if (!item) return html`<h1 tabindex="-1">${T.attentionEmpty}</h1><p><a href="#/attention">${T.attentionHeading}</a></p>`;

  // Refused for its task link (the household is not the task's): the visit goes without it.
  const dropTask = Boolean(item.error?.fields?.task_id);

  async function submit(event) {
    event.preventDefault();
    const { task_id: _link, ...unlinked } = item.body;
    const body = item.kind === 'visit'
      ? { ...(dropTask ? unlinked : item.body), visited_at: new Date(visitedAt).toISOString(), summary: text.trim(), method }
      : { ...item.body, description: text.trim(), category };
    // The same id: the server stored nothing under it.
    const failure = await saveItem(store, { ...item, body, state: 'pending', error: null });
    if (failure) setProblem(failure);
    else saved(T.savedOffline, '/attention');
  }

  return html`
    <h1 tabindex="-1">${T.fixAndResend}</h1>
    <p>${item.household?.name} · ${item.household?.address}</p>
    <ul class="reasons">${reasons(item).map((r) => html`<li class="problem">${r}</li>`)}</ul>
    ${dropTask && html`<p class="muted">${T.taskDropped}</p>`}
    <form onSubmit=${submit}>
      ${item.kind === 'visit' ? html`
        <label for="fix-time">${T.visitedAt}</label>
        <input id="fix-time" type="datetime-local" value=${visitedAt} required
          onInput=${(e) => setVisitedAt(e.target.value)} />
        <fieldset class="methods">
          <legend>${T.method}</legend>
          ${Object.entries(METHOD).map(([value, label]) => html`
            <label class="choice" key=${value}>
              <input type="radio" name="method" value=${value} checked=${method === value}
                onChange=${() => setMethod(value)} />${label}
            </label>`)}
        </fieldset>
        <label for="fix-text">${T.summary}</label>` : html`
        <label for="fix-category">${T.category}</label>
        <select id="fix-category" value=${category} onChange=${(e) => setCategory(e.target.value)}>
          ${Object.entries(CATEGORY).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
        </select>
        <label for="fix-text">${T.description}</label>`}
      <textarea id="fix-text" maxlength="2000" value=${text} onInput=${(e) => setText(e.target.value)} />
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      <div class="actions">
        <button type="submit" class="primary">${T.resend}</button>
        <a class="button" href="#/attention">${T.cancel}</a>
      </div>
    </form>`;
}
