// 乡镇 (platform admins): the townships on this service, and a new one with its first admin.

import { html, useState } from '/shared/html.js';
import * as S from './strings.js';
import { useLoad, ErrorNote, Notice } from './ui.js';

const T = S.TOWNSHIPS;
const BLANK = {
  code: '', name: '', timezone: 'Asia/Shanghai', visit_interval_days: '7',
  username: 'admin', display_name: '', password: '',
};

export function Townships({ api }) {
  const list = useLoad((signal) => api.request('GET', '/tenants', { signal }), []);
  const [form, setForm] = useState(BLANK);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState('');
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const items = list.data ? (Array.isArray(list.data) ? list.data : list.data.items) : [];

  const create = async (e) => {
    e.preventDefault();
    setError(null);
    setNotice('');
    try {
      const tenant = await api.request('POST', '/tenants', {
        body: {
          code: form.code.trim(), name: form.name.trim(), timezone: form.timezone.trim(),
          visit_interval_days: Number(form.visit_interval_days),
          admin: { username: form.username.trim(), display_name: form.display_name.trim(), password: form.password },
        },
      });
      setNotice(T.created(tenant.name, form.username.trim()));
      setForm(BLANK);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };

  const field = (k, label, extra = {}, help) => html`<div class="field"><label for=${`tw-${k}`}>${label}</label>
    <input id=${`tw-${k}`} value=${form[k]} onInput=${set(k)} aria-describedby=${help ? `tw-${k}-help` : undefined} ...${extra} />
    ${help && html`<p class="help" id=${`tw-${k}-help`}>${help}</p>`}</div>`;

  return html`<section>
    <h1 tabindex="-1">${T.heading}</h1>
    <${Notice} text=${notice} />
    <div class="columns">
      <div>
        <${ErrorNote} error=${list.error} />
        <div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
          <caption>${T.caption}</caption>
          <thead><tr>${Object.values(T.cols).map((c) => html`<th scope="col" key=${c}>${c}</th>`)}</tr></thead>
          <tbody>${items.map((t) => html`<tr key=${t.id}>
            <td>${t.code}</td><th scope="row">${t.name}</th><td>${t.timezone}</td><td class="num">${t.visit_interval_days}</td>
          </tr>`)}</tbody>
        </table></div>
      </div>
      <form class="panel" onSubmit=${create} aria-labelledby="tw-h">
        <h2 id="tw-h">${T.createHeading}</h2>
        ${field('code', T.code, { required: true, pattern: '[a-z][a-z0-9\\-]{1,31}', autocomplete: 'off' }, T.codeHelp)}
        ${field('name', T.name, { required: true })}
        ${field('timezone', T.timezone, { required: true })}
        ${field('visit_interval_days', T.interval, { type: 'number', min: 1, max: 365, required: true })}
        ${field('username', T.adminUsername, { required: true, autocomplete: 'off' })}
        ${field('display_name', T.adminName, { required: true })}
        ${field('password', T.adminPassword, { type: 'password', required: true, minlength: 8, autocomplete: 'new-password' }, S.STAFF.passwordHelp)}
        <${ErrorNote} error=${error} />
        <div class="actions"><button type="submit">${T.create}</button></div>
      </form>
    </div>
  </section>`;
}
