// The office console: sign-in, then the pages the signed-in role may use, chosen by the URL's
// hash (#overview, #grids, …) so a page can be bookmarked and the browser's back button works.
// A leader is sent to the phone app; a platform admin only manages townships.

import { html, render, useState, useEffect, useRef } from '/shared/html.js';
import { createApi } from '/shared/api.js';
import { SignIn } from '/shared/signin.js';
import { ROLE } from '/shared/strings.js';
import * as S from './strings.js';
import { setZone } from './ui.js';
import { forget } from './directory.js';
import { Overview } from './overview.js';
import { Grids } from './grids.js';
import { Households } from './households.js';
import { Staff } from './staff.js';
import { Issues } from './issues.js';
import { Import } from './import.js';
import { Audit } from './audit.js';
import { Tags } from './tags.js';
import { Supervision } from './supervision.js';
import { Townships } from './townships.js';
import { Departments } from './departments.js';
import { Tasks } from './tasks.js';

const api = createApi({ sessionKey: 'lianxin.console.session' });

const PAGES = {
  overview: Overview,
  grids: Grids,
  households: Households,
  staff: Staff,
  issues: Issues,
  import: Import,
  audit: Audit,
  tags: Tags,
  supervision: Supervision,
  townships: Townships,
  departments: Departments,
  tasks: Tasks,
};

// What each role may open, in the order of the navigation.
const PAGES_OF = {
  tenant_admin: ['overview', 'grids', 'households', 'staff', 'issues', 'tasks', 'import', 'audit', 'tags', 'departments', 'supervision'],
  supervisor: ['overview', 'grids', 'households', 'issues', 'tasks', 'supervision'],
  handler: ['issues'],
  platform_admin: ['townships'],
};

const hashPage = () => location.hash.replace(/^#\/?/, '').split('?')[0];

function Console() {
  const [session, setSession] = useState(api.session);
  const [page, setPage] = useState(hashPage());

  useEffect(() => {
    const onHash = () => setPage(hashPage());
    addEventListener('hashchange', onHash);
    api.onSignedOut(() => { forget(); setSession(null); });
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const role = session?.user?.role;
  const allowed = PAGES_OF[role] || [];
  const current = allowed.includes(page) ? page : allowed[0];

  useEffect(() => {
    document.title = session && current ? `${S.NAV[current]} · ${S.APP_TITLE}` : S.APP_TITLE;
  }, [session, current]);

  // After following a navigation link, a screen reader (and the keyboard) continues at the
  // new page's heading, not at the link.
  const shown = useRef(null);
  useEffect(() => {
    if (shown.current && shown.current !== current) document.querySelector('main h1')?.focus();
    shown.current = current;
  }, [current]);

  if (!session) {
    return html`<main class="signin" id="main">
      <${SignIn} api=${api} heading=${S.SIGN_IN_HEADING} tenantOptional=${true}
        onSignedIn=${() => { forget(); setSession(api.session); }} />
    </main>`;
  }
  if (role === 'leader') {
    location.replace('/app/');
    return html`<main id="main"><p role="status">${S.LEADER_REDIRECT}</p></main>`;
  }
  setZone(session.tenant?.timezone);
  const Page = PAGES[current];
  const signOut = async () => {
    try { await api.logout(); } finally { forget(); setSession(null); location.hash = ''; }
  };

  return html`
    <header class="top">
      <p class="brand">${S.APP_TITLE}${session.tenant ? html` · <strong>${session.tenant.name}</strong>` : ''}</p>
      <p class="who">${session.user.display_name}（${ROLE?.[role] ?? role}）</p>
      <button type="button" class="quiet" onClick=${signOut}>${S.SIGN_OUT}</button>
    </header>
    <div class="frame">
      <nav class="side" aria-label=${S.NAV_LABEL}>
        <ul>
          ${allowed.map((key) => html`<li key=${key}>
            <a href=${`#${key}`} aria-current=${key === current ? 'page' : undefined}>${S.NAV[key]}</a>
          </li>`)}
        </ul>
      </nav>
      <main id="main">
        ${Page ? html`<${Page} key=${current} api=${api} session=${session} />` : html`<p>${S.FORBIDDEN_PAGE}</p>`}
      </main>
    </div>`;
}

render(html`<${Console} />`, document.getElementById('console'));
