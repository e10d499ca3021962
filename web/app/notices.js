// Notices that may show on any screen: WeChat's browser, a full phone, storage that failed.
import { html, useEffect, useState } from '/shared/html.js';
import { onStorageProblem } from './store.js';
import { T } from './strings.js';

const inWeChat = /MicroMessenger/i.test(navigator.userAgent);

export function Notices() {
  const [storage, setStorage] = useState(null);
  useEffect(() => onStorageProblem((error) => setStorage(error)), []);
  // An unexpected failure elsewhere (a write outside the store) shows too.
  useEffect(() => {
    const onRejection = (event) => {
      if (event.reason?.name === 'QuotaExceededError') setStorage(event.reason);
    };
    window.addEventListener('unhandledrejection', onRejection);
    return () => window.removeEventListener('unhandledrejection', onRejection);
  }, []);
  return html`
    ${inWeChat && html`<p class="notice">${T.wechat}</p>`}
    ${storage && html`<p class="notice bad" role="alert">
      ${storage.name === 'QuotaExceededError' ? T.quotaFull : `${T.storageFailed}${storage.message || storage.name}`}
    </p>`}`;
}
