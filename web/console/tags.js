// 重点人群 (township admins): the standard priority groups and the tags in use, each with its
// own visit interval. A household is due within the smallest of the township's interval and
// its tags' — on the server's due list and on the leaders' phones alike.

import { html, useState } from '/shared/html.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Notice } from './ui.js';

const P = S.TAGS;

export function Tags({ api, session }) {
  const [notice, setNotice] = useState('');
  const [error, setError] = useState(null);
  const tags = useLoad((signal) => api.request('GET', '/tags', { signal }), []);
  const township = session?.tenant?.visit_interval_days || 7;

  const save = async (tag, text) => {
    setError(null);
    setNotice('');
    const days = text.trim() === '' ? null : Number(text);
    try {
      const saved = await api.request('PUT', `/tags/${encodeURIComponent(tag)}`, { body: { visit_interval_days: days } });
      setNotice(P.saved(saved.tag, saved.visit_interval_days));
      tags.reload();
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  };

  return html`<section aria-busy=${tags.loading ? 'true' : 'false'}>
    <h1 tabindex="-1">${P.heading}</h1>
    <p>${P.intro(township)}</p>
    <${Notice} text=${notice} />
    <${ErrorNote} error=${error || tags.error} />
    <div class="columns">
      <div>
        ${tags.data && html`<div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
          <caption class="sr-only">${P.caption}</caption>
          <thead><tr>${Object.values(P.cols).map((c) => html`<th scope="col" key=${c}>${c}</th>`)}</tr></thead>
          <tbody>${tags.data.map((t) => html`<${TagRow} key=${`${t.tag}:${t.visit_interval_days}`} tag=${t} onSave=${save} />`)}</tbody>
        </table></div>`}
      </div>
      <div><${AddTag} onSave=${save} /></div>
    </div>
  </section>`;
}

function TagRow({ tag, onSave }) {
  const [days, setDays] = useState(tag.visit_interval_days ?? '');
  const id = `tg-${encodeURIComponent(tag.tag).replaceAll('%', '')}`;
  return html`<tr>
    <th scope="row">${tag.tag}</th>
    <td>${tag.standard ? P.standard : P.free}</td>
    <td><input id=${id} type="number" min="1" max="365" inputmode="numeric" value=${days}
      aria-label=${P.intervalOf(tag.tag)} onInput=${(e) => setDays(e.target.value)} /></td>
    <td><button type="button" aria-label=${P.saveOf(tag.tag)} onClick=${() => onSave(tag.tag, String(days))}>${P.save}</button></td>
  </tr>`;
}

function AddTag({ onSave }) {
  const [tag, setTag] = useState('');
  const [days, setDays] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    if (await onSave(tag.trim(), days)) {
      setTag('');
      setDays('');
    }
  };
  return html`<form class="panel" onSubmit=${submit} aria-labelledby="tg-add-h">
    <h2 id="tg-add-h">${P.addHeading}</h2>
    <div class="field"><label for="tg-add-tag">${P.tag}</label>
      <input id="tg-add-tag" value=${tag} maxlength="20" required onInput=${(e) => setTag(e.target.value)} /></div>
    <div class="field"><label for="tg-add-days">${P.cols.interval}</label>
      <input id="tg-add-days" type="number" min="1" max="365" inputmode="numeric" required value=${days} onInput=${(e) => setDays(e.target.value)} /></div>
    <div class="actions"><button type="submit">${P.add}</button></div>
  </form>`;
}
