// 导入: a household roster (CSV in UTF-8 or GBK, or .xlsx) uploaded whole. A refused file lists
// every bad row ("行", "问题") and nothing is stored; a good one says how many were created.

import { html, useState, useRef } from '/shared/html.js';
import * as S from './strings.js';
import { ErrorNote, Notice } from './ui.js';
import { forget } from './directory.js';

const I = S.IMPORT;
const COLUMNS = { ...S.HOUSEHOLDS.fields, micro_grid: S.HOUSEHOLDS.fields.microGrid };

export function Import({ api }) {
  const fileRef = useRef(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [badRows, setBadRows] = useState(null);
  const [error, setError] = useState(null);
  const [chosen, setChosen] = useState('');

  const upload = async (e) => {
    e.preventDefault();
    const file = fileRef.current.files[0];
    setNotice('');
    setBadRows(null);
    setError(null);
    if (!file) { setError(new Error(I.chooseFirst)); return; }
    const form = new FormData();
    form.append('file', file, file.name);
    setBusy(true);
    try {
      const answer = await api.upload('/households/import', form);
      forget();
      setNotice(I.created(answer.created));
    } catch (err) {
      const rows = err.status === 422 && err.fields ? problemRows(err.fields) : [];
      if (rows.length) setBadRows(rows); else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return html`<section>
    <h1 tabindex="-1">${I.heading}</h1>
    <p class="panel">${I.intro}</p>
    <form class="bar panel" onSubmit=${upload}>
      <div class="field wide file-pick">
        <input id="im-file" type="file" class="file-input" ref=${fileRef} onChange=${(e) => setChosen(e.target.files[0]?.name || '')}
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" />
        <label for="im-file" class="file-button">${I.file}</label>
        <span class="file-name">${chosen || I.noFile}</span></div>
      <button type="submit" disabled=${busy}>${busy ? I.uploading : I.upload}</button>
    </form>
    <${Notice} text=${notice} />
    <${ErrorNote} error=${error} />
    ${badRows && html`<div role="alert"><p class="error">${I.refused(badRows.length)}</p></div>
      <div class="table-wrap" tabindex="0" role="region" aria-label=${S.TABLE_REGION}><table>
        <caption>${I.rowsCaption}</caption>
        <thead><tr><th scope="col" class="num">${I.row}</th><th scope="col">${I.problem}</th></tr></thead>
        <tbody>${badRows.map((r) => html`<tr key=${r.label}>
          <th scope="row" class="num">${r.label}</th>
          <td class="wrap">${r.problems.length === 1 ? r.problems[0] : html`<ul>${r.problems.map((p, i) => html`<li key=${i}>${p}</li>`)}</ul>`}</td>
        </tr>`)}</tbody>
      </table></div>`}
  </section>`;
}

/**
 * The 422's fields as table rows: "row 3" → row 3, in row order; anything else (the header,
 * the file's encoding) first, under its own name.
 */
function problemRows(fields) {
  // A row's problem starts with the column's key ("phone: …"): show the roster's own Chinese
  // header instead, as the clerk's spreadsheet names it.
  const inChinese = (problem) => problem.replace(/^([a-z_]+)\s*[:：]\s*/, (whole, key) =>
    (COLUMNS[key] ? `${COLUMNS[key]}：` : whole));
  return Object.entries(fields)
    .map(([key, problems]) => {
      const m = /^row (\d+)$/.exec(key);
      return {
        n: m ? Number(m[1]) : 0,
        label: m ? m[1] : key === 'header' ? I.header : key,
        problems: problems.map(inChinese),
      };
    })
    .sort((a, b) => a.n - b.n);
}
