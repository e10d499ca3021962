// 下发任务: what to do, by when, how often, and for whom — the households of the checked grids
// (none checked: the whole township) carrying any of the checked priority groups (none: all).
// The server decides who is covered and refuses a task that covers nobody; its 422 problems
// are shown beside the field they are about.

import { html, useState, useEffect, useRef } from '/shared/html.js';
import { errorText as sharedErrorText } from '/shared/strings.js';
import * as S from './strings.js';
import { useLoad, today } from './ui.js';
import { directory, microGridsByGrid } from './directory.js';

const T = S.TASKS;

// Which of the form's places a 422 field belongs to ("grid_ids[1]" belongs to 范围).
const PLACE = { title: 'title', description: 'description', due_on: 'due', repeat: 'repeat', grid_ids: 'scope', micro_grid_ids: 'scope', tags: 'tags' };
const placeOf = (field) => PLACE[field.split(/[.[]/)[0]];

/** A refusal's problems by place; those of no place go with the message at the bottom. */
function sortProblems(err) {
  const by = {};
  const rest = [];
  for (const [field, problems] of Object.entries((err?.status === 422 && err.fields) || {})) {
    const list = [].concat(problems);
    const place = placeOf(field);
    if (place) (by[place] ||= []).push(...list);
    else rest.push(`${T.fields[field] || field}：${list.join('；')}`);
  }
  return { by, rest };
}

export function TaskForm({ api, onCreated, onCancel }) {
  const blank = { title: '', description: '', due: '', repeat: '', grids: [], microGrids: [], tags: [] };
  const [form, setForm] = useState(blank);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  useEffect(() => { first.current?.focus(); }, []);
  const dir = useLoad(() => directory(api), []);
  const tagList = useLoad((signal) => api.request('GET', '/tags', { signal }), []);
  const places = dir.data ? microGridsByGrid(dir.data) : [];
  const standard = (tagList.data || []).filter((t) => t.standard).map((t) => t.tag);

  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const toggle = (k, value) => (e) => setForm({
    ...form, [k]: e.target.checked ? [...form[k], value] : form[k].filter((v) => v !== value),
  });

  const send = async (e) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const body = { title: form.title.trim(), description: form.description.trim(), due_on: form.due };
    if (form.repeat) body.repeat = form.repeat;
    if (form.grids.length) body.grid_ids = form.grids;
    // A micro-grid of a checked grid is covered by its grid already.
    const microGrids = form.microGrids.filter((id) => !form.grids.includes(dir.data?.microGrids.get(id)?.grid_id));
    if (microGrids.length) body.micro_grid_ids = microGrids;
    if (form.tags.length) body.tags = form.tags;
    try {
      const task = await api.request('POST', '/tasks', { body });
      setForm(blank);
      onCreated(task);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const { by, rest } = sortProblems(error);
  // The problem under a field, and the attributes that tie the field to it.
  const problem = (place) => (by[place] ? html`<p class="field-error" id=${`tf-${place}-err`}>${by[place].join('；')}</p>` : null);
  const tie = (place, help) => ({
    'aria-invalid': by[place] ? 'true' : undefined,
    'aria-describedby': [help, by[place] && `tf-${place}-err`].filter(Boolean).join(' ') || undefined,
  });

  return html`<form class="panel task-form" onSubmit=${send} aria-labelledby="tf-h">
    <h2 id="tf-h">${T.formHeading}</h2>
    <div class="field wide"><label for="tf-title">${T.title}</label>
      <input id="tf-title" ref=${first} required maxlength="100" value=${form.title} onInput=${set('title')} ...${tie('title')} />
      ${problem('title')}</div>
    <div class="field wide"><label for="tf-description">${T.description}</label>
      <textarea id="tf-description" maxlength="2000" rows="4" value=${form.description} onInput=${set('description')} ...${tie('description')} />
      ${problem('description')}</div>
    <div class="field"><label for="tf-due">${T.due}</label>
      <input id="tf-due" type="date" required min=${today()} value=${form.due} onInput=${set('due')} ...${tie('due')} />
      ${problem('due')}</div>
    <div class="field"><label for="tf-repeat">${T.repeatLabel}</label>
      <select id="tf-repeat" value=${form.repeat} onChange=${set('repeat')} ...${tie('repeat', 'tf-repeat-help')}>
        ${Object.entries(T.repeat).map(([v, label]) => html`<option key=${v} value=${v}>${label}</option>`)}
      </select>
      <p class="help" id="tf-repeat-help">${T.repeatHelp}</p>
      ${problem('repeat')}</div>
    <fieldset class="checks" ...${tie('scope', 'tf-scope-help')}>
      <legend>${T.scope}</legend>
      <p class="help" id="tf-scope-help">${T.scopeHelp}</p>
      ${dir.error && html`<p class="field-error">${sharedErrorText(dir.error)}</p>`}
      <div class="places">${places.map(({ grid: g, microGrids }) => html`<div class="place" key=${g.id}>
        <label><input type="checkbox" checked=${form.grids.includes(g.id)} onChange=${toggle('grids', g.id)} />${g.name}</label>
        ${microGrids.length > 0 && html`<details>
          <summary>${T.someMicroGrids(microGrids.filter((m) => form.microGrids.includes(m.id)).length)}</summary>
          <div class="boxes">${microGrids.map((m) => html`<label key=${m.id}>
            <input type="checkbox" aria-label=${`${g.name} ${m.name}`} disabled=${form.grids.includes(g.id)}
              checked=${form.grids.includes(g.id) || form.microGrids.includes(m.id)} onChange=${toggle('microGrids', m.id)} />${m.name}</label>`)}</div>
        </details>`}
      </div>`)}</div>
      ${problem('scope')}
    </fieldset>
    <fieldset class="checks" ...${tie('tags', 'tf-tags-help')}>
      <legend>${T.tags}</legend>
      <p class="help" id="tf-tags-help">${T.tagsHelp}</p>
      ${tagList.error && html`<p class="field-error">${sharedErrorText(tagList.error)}</p>`}
      <div class="boxes">${standard.map((tag) => html`<label key=${tag}>
        <input type="checkbox" checked=${form.tags.includes(tag)} onChange=${toggle('tags', tag)} />${tag}</label>`)}</div>
      ${problem('tags')}
    </fieldset>
    ${error && html`<p class="error" role="alert">${[sharedErrorText(error), ...rest].join(' ')}</p>`}
    <div class="actions">
      <button type="submit" disabled=${busy}>${busy ? T.sending : T.send}</button>
      <button type="button" class="quiet" onClick=${onCancel}>${T.cancel}</button>
    </div>
  </form>`;
}
