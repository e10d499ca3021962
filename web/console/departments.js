// 部门 (township admins): the offices issues are routed to, with how many handlers each has;
// a new one, and renaming one.

import { html, useState } from '/shared/html.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Notice, readAll, count } from './ui.js';

const D = S.DEPARTMENTS;

export function Departments({ api }) {
  const [notice, setNotice] = useState('');
  const [openId, setOpenId] = useState(null);
  const list = useLoad(async (signal) => {
    const [departments, handlers] = await Promise.all([
      readAll(api, '/departments', {}, signal),
      readAll(api, '/users', { role: 'handler' }, signal),
    ]);
    const per = new Map();
    for (const u of handlers) if (u.active) per.set(u.department_id, (per.get(u.department_id) || 0) + 1);
    return departments
      .map((d) => ({ ...d, handlers: per.get(d.id) || 0 }))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN', { numeric: true }));
  }, []);
  const changed = (text) => { setNotice(text); list.reload(); };
  const chosen = list.data?.find((d) => d.id === openId);

  return html`<section>
    <h1 tabindex="-1">${D.heading}</h1>
    <${Notice} text=${notice} />
    <${ErrorNote} error=${list.error} />
    <div class="columns">
      <div>
        ${list.data && (list.data.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
          <caption class="sr-only">${D.caption}</caption>
          <thead><tr><th scope="col">${D.cols.name}</th><th scope="col" class="num">${D.cols.handlers}</th></tr></thead>
          <tbody>${list.data.map((d) => html`<tr key=${d.id} class=${d.id === openId ? 'chosen' : ''}>
            <th scope="row"><button type="button" class="link" aria-pressed=${d.id === openId}
              aria-label=${D.rename(d.name)} onClick=${() => { setOpenId(d.id); setNotice(''); }}>${d.name}</button></th>
            <td class="num">${count(d.handlers)}</td>
          </tr>`)}</tbody>
        </table></div>` : html`<p>${D.none}</p>`)}
      </div>
      <div>
        ${chosen && html`<${Rename} key=${chosen.id} api=${api} department=${chosen} onChanged=${changed} />`}
        <${Create} api=${api} onCreated=${changed} />
      </div>
    </div>
  </section>`;
}

function Create({ api, onCreated }) {
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  const create = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const d = await api.request('POST', '/departments', { body: { name: name.trim() } });
      setName('');
      onCreated(D.created(d.name));
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="panel" onSubmit=${create} aria-labelledby="dp-new-h">
    <h2 id="dp-new-h">${D.createHeading}</h2>
    <div class="field"><label for="dp-name">${D.name}</label>
      <input id="dp-name" required maxlength="100" value=${name} onInput=${(e) => setName(e.target.value)} /></div>
    <${ErrorNote} error=${error} />
    <div class="actions"><button type="submit" disabled=${!name.trim()}>${D.create}</button></div>
  </form>`;
}

function Rename({ api, department, onChanged }) {
  const [name, setName] = useState(department.name);
  const [error, setError] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const d = await api.request('PATCH', `/departments/${department.id}`, { body: { name: name.trim() } });
      onChanged(D.renamed(d.name));
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="panel" onSubmit=${save} aria-labelledby="dp-rn-h">
    <h2 id="dp-rn-h">${D.renameHeading}：${department.name}</h2>
    <div class="field"><label for="dp-rename">${D.newName}</label>
      <input id="dp-rename" required maxlength="100" value=${name} onInput=${(e) => setName(e.target.value)} /></div>
    <${ErrorNote} error=${error} />
    <div class="actions"><button type="submit" disabled=${!name.trim()}>${D.save}</button></div>
  </form>`;
}
