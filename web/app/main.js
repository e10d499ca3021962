// The phone app's entry: signed out, the sign-in form; signed in, the app for that user.
import { html, render, useEffect, useState } from '/shared/html.js';
import { createApi } from '/shared/api.js';
import { SignIn } from '/shared/signin.js';
import { App } from './app.js';
import { Notices } from './notices.js';
import { T } from './strings.js';
import { registerWorker } from './update.js';

const api = createApi({ sessionKey: 'lianxin-app-session' });
// The township's code is typed once per phone, not at every sign-in.
const TENANT_KEY = 'lianxin-app-tenant';

function Root() {
  const [session, setSession] = useState(api.session);
  const [expired, setExpired] = useState(false);

  useEffect(() => api.onSignedOut(() => {
    setExpired(true);
    setSession(null);
  }), []);
  // Another tab signed in or out.
  useEffect(() => {
    const onStorage = () => setSession(api.session);
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  if (!session) {
    document.title = `${T.signInHeading} · 连心`;
    return html`
      <${Notices} />
      <main id="main">
        ${expired && html`<p class="problem" role="alert">${T.signedOutExpired}</p>`}
        <${SignIn} api=${api} heading=${T.signInHeading}
          initialTenant=${localStorage.getItem(TENANT_KEY) || ''}
          onSignedIn=${(s) => {
            if (s.tenant?.code) localStorage.setItem(TENANT_KEY, s.tenant.code);
            setExpired(false);
            setSession(s);
          }} />
      </main>`;
  }
  return html`<${App} key=${session.user.id} api=${api} session=${session}
    onSignedOut=${() => setSession(null)} />`;
}

const root = document.getElementById('root');
root.textContent = '';
render(html`<${Root} />`, root);
registerWorker();
