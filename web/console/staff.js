// 人员 (township admins): the staff list, a new account, and on one person: deactivate or
// reactivate, set a new password, change the role (a supervisor may be held to one grid; a
// handler (部门办理人员) belongs to one department).

import { html, useState } from '/shared/html.js';
import { ROLE } from '/shared/strings.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Notice, Pager, readAll } from './ui.js';
import { directory, forget } from './directory.js';
import { StatementDownload } from './statement.js';

const P = S.STAFF;
const ROLES = ['tenant_admin', 'supervisor', 'leader', 'handler'];
const roleName = (r) => ROLE?.[r] ?? r;
const PER_PAGE = 50;

export function Staff({ api }) {
  const [filter, setFilter] = useState({ role: '', q: '', page: 1 });
  const [typed, setTyped] = useState('');
  const [openId, setOpenId] = useState(null);
  const [notice, setNotice] = useState('');
  const dir = useLoad(() => directory(api), []);
  const deps = useLoad((signal) => readAll(api, '/departments', {}, signal), []);
  const departments = deps.data || [];
  const list = useLoad((signal) => {
    const query = { page: filter.page, per_page: PER_PAGE };
    if (filter.role) query.role = filter.role;
    if (filter.q) query.q = filter.q;
    return api.request('GET', '/users', { query, signal });
  }, [filter.role, filter.q, filter.page]);

  const grids = dir.data ? [...dir.data.grids.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN', { numeric: true })) : [];
  const gridName = (id) => (id ? dir.data?.grids.get(id)?.name || '' : '');
  const chosen = list.data?.items.find((u) => u.id === openId);
  const changed = (text) => { forget(); setNotice(text); list.reload(); dir.reload(); };

  return html`<section>
    <h1 tabindex="-1">${P.heading}</h1>
    <form class="bar panel" role="search" onSubmit=${(e) => { e.preventDefault(); setFilter({ ...filter, q: typed.trim(), page: 1 }); }}>
      <div class="field"><label for="st-role">${P.role}</label>
        <select id="st-role" value=${filter.role} onChange=${(e) => setFilter({ ...filter, role: e.target.value, page: 1 })}>
          <option value="">${S.ALL}</option>
          ${ROLES.map((r) => html`<option key=${r} value=${r}>${roleName(r)}</option>`)}
        </select></div>
      <div class="field"><label for="st-q">${P.q}</label>
        <input id="st-q" type="search" value=${typed} onInput=${(e) => setTyped(e.target.value)} /></div>
      <button type="submit">${P.filter}</button>
    </form>
    <${Notice} text=${notice} />
    <${ErrorNote} error=${list.error} />
    <div class="columns">
      <div>
        ${list.data && html`<div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
          <caption class="sr-only">${P.caption}</caption>
          <thead><tr>${Object.values(P.cols).map((c) => html`<th scope="col" key=${c}>${c}</th>`)}</tr></thead>
          <tbody>${list.data.items.map((u) => html`<tr key=${u.id} class=${u.id === openId ? 'chosen' : ''}>
            <td>${u.username}</td>
            <th scope="row"><button type="button" class="link" aria-pressed=${u.id === openId} onClick=${() => { setOpenId(u.id); setNotice(''); }}>${u.display_name}</button></th>
            <td>${roleName(u.role)}</td><td>${u.phone || S.NONE}</td>
            <td>${u.role === 'supervisor' ? gridName(u.grid_id) || P.wholeTownship
              : u.role === 'handler' ? departments.find((d) => d.id === u.department_id)?.name || S.NONE : S.NONE}</td>
            <td>${u.active ? P.active : P.inactive}</td>
          </tr>`)}</tbody>
        </table></div>
        <${Pager} page=${filter.page} perPage=${PER_PAGE} total=${list.data.total} onPage=${(page) => setFilter({ ...filter, page })} />`}
      </div>
      <div>
        ${chosen && html`<${Person} key=${chosen.id} api=${api} user=${chosen} grids=${grids} departments=${departments} onChanged=${changed} />`}
        <${CreatePerson} api=${api} grids=${grids} departments=${departments} onCreated=${changed} />
      </div>
    </div>
  </section>`;
}

function GridSelect({ id, value, grids, onChange }) {
  return html`<div class="field"><label for=${id}>${P.grid}</label>
    <select id=${id} value=${value} aria-describedby=${`${id}-help`} onChange=${(e) => onChange(e.target.value)}>
      <option value="">${P.wholeTownship}</option>
      ${grids.map((g) => html`<option key=${g.id} value=${g.id}>${g.name}</option>`)}
    </select>
    <p class="help" id=${`${id}-help`}>${P.gridHelp}</p></div>`;
}

function DepartmentSelect({ id, value, departments, onChange }) {
  return html`<div class="field"><label for=${id}>${P.department}</label>
    <select id=${id} required value=${value} aria-describedby=${`${id}-help`} onChange=${(e) => onChange(e.target.value)}>
      <option value="">${S.CHOOSE}</option>
      ${departments.map((d) => html`<option key=${d.id} value=${d.id}>${d.name}</option>`)}
    </select>
    <p class="help" id=${`${id}-help`}>${P.departmentHelp}</p></div>`;
}

function CreatePerson({ api, grids, departments, onCreated }) {
  const blank = { username: '', display_name: '', role: 'leader', password: '', phone: '', grid_id: '', department_id: '' };
  const [form, setForm] = useState(blank);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });

  const create = async (e) => {
    e.preventDefault();
    setError(null);
    const body = { username: form.username.trim(), display_name: form.display_name.trim(), role: form.role, password: form.password };
    if (form.phone.trim()) body.phone = form.phone.trim();
    if (form.role === 'supervisor' && form.grid_id) body.grid_id = form.grid_id;
    if (form.role === 'handler') body.department_id = form.department_id;
    try {
      const user = await api.request('POST', '/users', { body });
      setForm(blank);
      onCreated(P.created(user.display_name));
    } catch (err) {
      setError(err);
    }
  };

  const text = (k, label, type = 'text', extra = {}) => html`<div class="field"><label for=${`np-${k}`}>${label}</label>
    <input id=${`np-${k}`} type=${type} value=${form[k]} onInput=${set(k)} ...${extra} /></div>`;

  return html`<form class="panel" onSubmit=${create} aria-labelledby="np-h">
    <h2 id="np-h">${P.createHeading}</h2>
    ${text('username', P.username, 'text', { required: true, autocomplete: 'off' })}
    ${text('display_name', P.displayName, 'text', { required: true })}
    <div class="field"><label for="np-role">${P.role}</label>
      <select id="np-role" value=${form.role} onChange=${set('role')}>
        ${ROLES.map((r) => html`<option key=${r} value=${r}>${roleName(r)}</option>`)}
      </select></div>
    ${form.role === 'supervisor' && html`<${GridSelect} id="np-grid" value=${form.grid_id} grids=${grids} onChange=${(v) => setForm({ ...form, grid_id: v })} />`}
    ${form.role === 'handler' && html`<${DepartmentSelect} id="np-dept" value=${form.department_id} departments=${departments} onChange=${(v) => setForm({ ...form, department_id: v })} />`}
    ${text('password', P.password, 'password', { required: true, autocomplete: 'new-password', minlength: 8, 'aria-describedby': 'np-pw-help' })}
    <p class="help" id="np-pw-help">${P.passwordHelp}</p>
    ${text('phone', P.phone, 'tel')}
    <${ErrorNote} error=${error} />
    <div class="actions"><button type="submit">${P.create}</button></div>
  </form>`;
}

function Person({ api, user, grids, departments, onChanged }) {
  const [password, setPassword] = useState('');
  const [role, setRole] = useState(user.role);
  const [gridId, setGridId] = useState(user.grid_id || '');
  const [deptId, setDeptId] = useState(user.department_id || '');
  const [error, setError] = useState(null);

  const patch = async (body, text) => {
    setError(null);
    try {
      await api.request('PATCH', `/users/${user.id}`, { body });
      onChanged(text);
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  };

  const changeRole = (e) => {
    e.preventDefault();
    const body = { role };
    if (role === 'supervisor') body.grid_id = gridId || null;
    if (role === 'handler') body.department_id = deptId;
    patch(body, P.roleChanged(user.display_name, roleName(role)));
  };

  return html`<section class="panel" aria-labelledby="ps-h">
    <h2 id="ps-h">${user.display_name}（${user.username}）</h2>
    <p>${roleName(user.role)} · ${user.active ? P.active : P.inactive}</p>
    <${ErrorNote} error=${error} />
    <div class="actions">
      ${user.active
        ? html`<button type="button" onClick=${() => patch({ active: false }, P.deactivated(user.display_name))}>${P.deactivate}</button>`
        : html`<button type="button" onClick=${() => patch({ active: true }, P.activated(user.display_name))}>${P.activate}</button>`}
    </div>
    <form onSubmit=${async (e) => { e.preventDefault(); if (await patch({ password }, P.resetDone(user.display_name))) setPassword(''); }}>
      <h3>${P.resetHeading}</h3>
      <div class="field"><label for="ps-pw">${P.newPassword}</label>
        <input id="ps-pw" type="password" autocomplete="new-password" required minlength="8" value=${password}
          aria-describedby="ps-pw-help" onInput=${(e) => setPassword(e.target.value)} />
        <p class="help" id="ps-pw-help">${P.passwordHelp}</p></div>
      <div class="actions"><button type="submit">${P.reset}</button></div>
    </form>
    <form onSubmit=${changeRole}>
      <h3>${P.roleHeading}</h3>
      <div class="field"><label for="ps-role">${P.role}</label>
        <select id="ps-role" value=${role} onChange=${(e) => setRole(e.target.value)}>
          ${ROLES.map((r) => html`<option key=${r} value=${r}>${roleName(r)}</option>`)}
        </select></div>
      ${role === 'supervisor' && html`<${GridSelect} id="ps-grid" value=${gridId} grids=${grids} onChange=${setGridId} />`}
      ${role === 'handler' && html`<${DepartmentSelect} id="ps-dept" value=${deptId} departments=${departments} onChange=${setDeptId} />`}
      <div class="actions"><button type="submit">${P.changeRole}</button></div>
    </form>
    ${user.role === 'leader' && html`<${StatementDownload} key=${user.id} api=${api} user=${user} />`}
  </section>`;
}
