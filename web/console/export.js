// "导出Excel" / "导出CSV": asks the API for its export file of the range, breakdown and scope
// on the page and saves it under the name the server gives, byte for byte (a blob link with
// `download`, so the token never appears in a URL). The link stays, to save it once more.

import { html, useState, useEffect } from '/shared/html.js';
import * as S from './strings.js';
import { ErrorNote } from './ui.js';

const O = S.OVERVIEW;

export function ExportButtons({ api, query }) {
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(null);
  const [error, setError] = useState(null);

  // A blob URL holds the file in memory until it is revoked.
  useEffect(() => () => saved && URL.revokeObjectURL(saved.url), [saved]);

  const save = async (format) => {
    setBusy(true);
    setError(null);
    try {
      const { blob, filename } = await api.download('/stats/export', { ...query, format });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      setSaved({ url, filename });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return html`<div class="actions export">
    <button type="button" class="quiet" disabled=${busy} onClick=${() => save('xlsx')}>${O.exportExcel}</button>
    <button type="button" class="quiet" disabled=${busy} onClick=${() => save('csv')}>${O.exportCsv}</button>
    <span role="status">${busy ? O.exporting : saved ? html`${O.saved(saved.filename)}
      <a href=${saved.url} download=${saved.filename}>${O.saveAgain('')}</a>` : ''}</span>
    <${ErrorNote} error=${error} />
  </div>`;
}
