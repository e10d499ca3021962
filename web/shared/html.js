// Preact with htm bound to it: html`<div>…</div>` instead of JSX, no build step.
import { h, render, Fragment } from '/vendor/preact.module.js';
import {
  useState, useEffect, useRef, useMemo, useCallback, useReducer,
} from '/vendor/hooks.module.js';
import htm from '/vendor/htm.module.js';

export const html = htm.bind(h);
export {
  h, render, Fragment, useState, useEffect, useRef, useMemo, useCallback, useReducer,
};
