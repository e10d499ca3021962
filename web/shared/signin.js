// The sign-in form both clients show (inputs "乡镇代码", "用户名", "密码", button "登录").
import { html, useState } from './html.js';
import { COMMON, errorText } from './strings.js';

export function SignIn({ api, heading, tenantOptional = false, onSignedIn, initialTenant = '' }) {
  const [tenant, setTenant] = useState(initialTenant);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setProblem('');
    try {
      const session = await api.login({ tenant: tenant.trim(), username: username.trim(), password });
      onSignedIn?.(session);
    } catch (error) {
      setProblem(error.status === 401 ? COMMON.wrongLogin : errorText(error));
      setBusy(false);
    }
  }

  return html`
    <form class="signin" onSubmit=${submit} novalidate>
      <h1>${heading}</h1>
      <label for="signin-tenant">${COMMON.tenant}</label>
      <input id="signin-tenant" name="tenant" autocomplete="organization" autocapitalize="none"
        spellcheck="false" required=${!tenantOptional} value=${tenant}
        onInput=${(e) => setTenant(e.target.value)} />
      <label for="signin-username">${COMMON.username}</label>
      <input id="signin-username" name="username" autocomplete="username" autocapitalize="none"
        spellcheck="false" required value=${username} onInput=${(e) => setUsername(e.target.value)} />
      <label for="signin-password">${COMMON.password}</label>
      <input id="signin-password" name="password" type="password" autocomplete="current-password"
        required value=${password} onInput=${(e) => setPassword(e.target.value)} />
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      <button type="submit" class="primary" disabled=${busy}>
        ${busy ? COMMON.signingIn : COMMON.signIn}
      </button>
    </form>
  `;
}
