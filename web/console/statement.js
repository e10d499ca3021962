// "下载民情日志": a leader's month as the API makes it (GET /stats/statement), saved under the
// server's file name (a blob link, so the token never appears in a URL).

import { html, useState } from '/shared/html.js';
import * as S from './strings.js';
import { ErrorNote } from './ui.js';

const M = S.STATEMENT;

// This month in the browser's calendar, as `YYYY-MM` (the server's default is the township's).
const thisMonth = () => new Date().toISOString().slice(0, 7);

export function StatementDownload({ api, user }) {
  const [month, setMonth] = useState(thisMonth());
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState('');
  const [error, setError] = useState(null);

  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { blob, filename } = await api.download('/stats/statement', { leader_id: user.id, month });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      setSaved(filename);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return html`<form onSubmit=${save}>
    <h3>${M.heading}</h3>
    <div class="field"><label for="ps-month">${M.month}</label>
      <input id="ps-month" type="month" required value=${month} onInput=${(e) => setMonth(e.target.value)} /></div>
    <div class="actions"><button type="submit" disabled=${busy}>${M.download}</button></div>
    <p role="status">${busy ? M.busy : saved ? M.saved(saved) : ''}</p>
    <${ErrorNote} error=${error} />
  </form>`;
}
