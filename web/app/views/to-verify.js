// "待验收": problems a township office reports done, waiting for the leader to check at the
// door ("验收通过" or "退回重办" in the household's dossier). Read online when the due list
// opens; offline the list simply stays away (nothing here is typed, so nothing is lost).
import { html, useEffect, useState } from '/shared/html.js';
import { CATEGORY } from '/shared/strings.js';
import { T } from '../strings.js';

export function ToVerify({ api, households }) {
  const [issues, setIssues] = useState([]);
  useEffect(() => {
    const controller = new AbortController();
    api.request('GET', '/issues', { query: { status: 'done', per_page: 50 }, signal: controller.signal })
      .then((page) => setIssues(page.items))
      .catch(() => {}); // offline or refused: nothing to show
    return () => controller.abort();
  }, [api]);
  if (!issues.length) return null;
  const names = new Map((households || []).map((h) => [h.id, h.name]));
  return html`
    <section class="to-verify" aria-labelledby="to-verify-heading">
      <h2 id="to-verify-heading">${T.toVerify(issues.length)}</h2>
      <ul>
        ${issues.map((issue) => html`
          <li key=${issue.id}>
            <a href="#/h/${issue.household_id}">
              ${names.get(issue.household_id) || T.household} · ${CATEGORY[issue.category]}
              ${issue.overdue ? html` <span class="overdue">${T.overdue}</span>` : ''}
            </a>
          </li>`)}
      </ul>
    </section>`;
}
