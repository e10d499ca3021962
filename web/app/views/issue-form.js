// "反映诉求": "类别", "诉求内容", "保存". Queued like a visit; when the leader recorded a visit
// of this household within the hour, the issue names it and is sent after it.
import { html, useState } from '/shared/html.js';
import { CATEGORY } from '/shared/strings.js';
import { T } from '../strings.js';
import { uuidv7 } from '../uuid.js';
import { saveItem } from './save.js';

const FOLLOWS_WITHIN_MS = 3600_000;

export function IssueForm({ store, id, households, queue, saved, go }) {
  const household = (households || []).find((h) => h.id === id);
  const [category, setCategory] = useState('road');
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  if (!household) return html`<h1 tabindex="-1">${T.notFound}</h1><p><a href="#/">${T.backToList}</a></p>`;
  document.title = `${T.issueHeading(household.name)} · 连心`;

  async function submit(event) {
    event.preventDefault();
    if (!description.trim()) {
      setProblem(T.descriptionRequired);
      return;
    }
    setBusy(true);
    const recent = queue
      .filter((i) => i.kind === 'visit' && i.body.household_id === id && i.state !== 'attention')
      .filter((i) => Date.now() - new Date(i.savedAt).getTime() < FOLLOWS_WITHIN_MS)
      .pop();
    const itemId = uuidv7();
    const failure = await saveItem(store, {
      id: itemId,
      kind: 'issue',
      state: 'pending',
      savedAt: new Date().toISOString(),
      household: { id: household.id, name: household.name, address: household.address },
      error: null,
      body: {
        id: itemId,
        household_id: household.id,
        ...(recent ? { visit_id: recent.id } : {}),
        category,
        description: description.trim(),
      },
    });
    if (failure) {
      setProblem(failure);
      setBusy(false);
      return;
    }
    saved(T.savedOffline, `/h/${id}`);
  }

  return html`
    <h1 tabindex="-1">${T.issueHeading(household.name)}</h1>
    <form onSubmit=${submit} novalidate>
      <label for="category">${T.category}</label>
      <select id="category" value=${category} onChange=${(e) => setCategory(e.target.value)}>
        ${Object.entries(CATEGORY).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
      </select>
      <label for="description">${T.description}</label>
      <textarea id="description" maxlength="2000" placeholder=${T.descriptionHint} required
        aria-invalid=${problem === T.descriptionRequired} value=${description}
        onInput=${(e) => setDescription(e.target.value)} />
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy}>${T.save}</button>
        <button type="button" onClick=${() => go(`/h/${id}`)}>${T.cancel}</button>
      </div>
    </form>`;
}
