// "退出登录": warns, naming how many items are still unsent, before signing out. The user's
// households leave the phone; unsent items stay (in this user's own database) until sent.
import { html, useRef } from '/shared/html.js';
import { T } from '../strings.js';

export function SignOut({ api, store, sync, unsent, onSignedOut }) {
  const dialog = useRef(null);

  async function signOut() {
    dialog.current?.close();
    sync.stop();
    await api.logout();
    await store.forgetHouseholds();
    location.hash = '';
    onSignedOut();
  }

  return html`
    <button type="button" class="sign-out" onClick=${() => dialog.current.showModal()}>${T.signOut}</button>
    <dialog ref=${dialog} aria-labelledby="sign-out-question">
      <p id="sign-out-question">${unsent > 0 ? T.signOutWarning(unsent) : T.signOutPlain}</p>
      <div class="actions">
        <button type="button" class="primary" onClick=${signOut}>
          ${unsent > 0 ? T.signOutConfirm : T.signOut}
        </button>
        <button type="button" onClick=${() => dialog.current.close()}>${T.cancel}</button>
      </div>
    </dialog>`;
}
