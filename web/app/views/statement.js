// "下载本月民情日志": the leader's month as the township's statement (XLSX), made by the server
// from the visits and issues already recorded, so nobody types it again. Online only: it is
// the server's count of what reached it (the sync bar says what has not yet).
import { html, useState } from '/shared/html.js';
import { T } from '../strings.js';

export function StatementDownload({ api }) {
  const [state, setState] = useState('');

  async function save() {
    setState('busy');
    try {
      // The township's current month and the caller: the server's defaults.
      const { blob, filename } = await api.download('/stats/statement', {});
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      setState('saved');
    } catch {
      setState('failed');
    }
  }

  return html`
    <span class="statement">
      <button type="button" onClick=${save} disabled=${state === 'busy'}>${T.statement}</button>
      <span role="status" class="muted">${state === 'saved' ? T.statementSaved : state === 'failed' ? T.onlyOnline : ''}</span>
    </span>`;
}
