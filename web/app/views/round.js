// "群内走访": tick the households reached in the micro-grid's group chat and save one "群内"
// visit for each, in one step (each its own UUID v7, all stored in one transaction).
import { html, useMemo, useState } from '/shared/html.js';
import { withDueState } from '../due.js';
import { T } from '../strings.js';
import { newVisit } from './visit-form.js';
import { visitLabel } from './due-list.js';
import { saveItem } from './save.js';

export function Round({ store, households, queue, zone, saved, go }) {
  const [chosen, setChosen] = useState(new Set());
  const [summary, setSummary] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  document.title = `${T.roundHeading} · 连心`;
  const visits = queue.filter((i) => i.kind === 'visit' && i.state !== 'attention').map((i) => i.body);
  const rows = useMemo(() => withDueState(households || [], visits, zone), [households, queue]);

  function toggle(id, on) {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  }

  async function submit(event) {
    event.preventDefault();
    if (chosen.size === 0) {
      setProblem(T.roundNone);
      return;
    }
    setBusy(true);
    const items = rows.filter((r) => chosen.has(r.household.id))
      .map((r) => newVisit(r.household, { method: 'group', summary: summary.trim() }));
    const failure = await saveItem(store, items);
    if (failure) {
      setProblem(failure);
      setBusy(false);
      return;
    }
    saved(T.roundSaved(items.length), '/');
  }

  return html`
    <h1 tabindex="-1">${T.roundHeading}</h1>
    <p class="muted">${T.roundHint}</p>
    <form onSubmit=${submit}>
      <fieldset class="round">
        <legend>${T.roundHeading}</legend>
        ${rows.map((row) => html`
          <div class="choice" key=${row.household.id}>
            <input type="checkbox" id="round-${row.household.id}" checked=${chosen.has(row.household.id)}
              aria-describedby="round-${row.household.id}-days"
              onChange=${(e) => toggle(row.household.id, e.target.checked)} />
            <label for="round-${row.household.id}">${row.household.name}</label>
            <span id="round-${row.household.id}-days" class="hint">${row.household.address} · ${visitLabel(row)}</span>
          </div>`)}
      </fieldset>
      <label for="round-summary">${T.roundSummary}</label>
      <textarea id="round-summary" maxlength="2000" value=${summary} onInput=${(e) => setSummary(e.target.value)} />
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      <p class="muted" aria-live="polite">${T.roundSave(chosen.size)}</p>
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy}>${T.save}</button>
        <button type="button" onClick=${() => go('/')}>${T.cancel}</button>
      </div>
    </form>`;
}
