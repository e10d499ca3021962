// A task's state, progress and repeat in words, as the list and a task's page both show them.

import { html } from '/shared/html.js';
import * as S from './strings.js';

const T = S.TASKS;

/** 进行中 / 已超期 / 已完成 / 已关闭: closed first, then done by every household, then late. */
export function stateName(task) {
  if (task.closed) return T.state.closed;
  if (task.households > 0 && task.done >= task.households) return T.state.finished;
  return task.overdue ? T.state.overdue : T.state.open;
}

/** "30%", rounded down so that 100% means every household is done; "—" for no household. */
export const rate = (done, households) => (households > 0 ? `${Math.floor((done * 100) / households)}%` : S.NONE);

/** "12/40（30%）". */
export const progressText = (done, households) => T.progress(done, households, rate(done, households));

export const repeatName = (r) => T.repeat[r || ''] ?? r;

/** The numbers in words, and a bar for the eye (hidden from screen readers: it says no more). */
export function Progress({ done, households }) {
  return html`<span class="progress">
    <progress max=${Math.max(households, 1)} value=${done} aria-hidden="true"></progress>
    ${progressText(done, households)}
  </span>`;
}
