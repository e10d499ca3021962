// Names of the township's grids, micro-grids and staff, read once and kept for the session so
// that tables can show "新埭村第3微网格" and "张伟" rather than ids. Pages that change them
// (a new leader, a new user) call forget() so the next read is fresh.

import { readAll } from './ui.js';

let cached = null;

export function forget() {
  cached = null;
}

/**
 * { grids: Map id→Grid, microGrids: Map id→MicroGrid, users: Map id→User }.
 * Staff are read only by roles that may list them (admins and supervisors).
 */
export function directory(api) {
  if (!cached) {
    cached = Promise.all([
      readAll(api, '/grids'),
      readAll(api, '/micro-grids'),
      readAll(api, '/users'),
    ]).then(([grids, microGrids, users]) => ({
      grids: byId(grids),
      microGrids: byId(microGrids),
      users: byId(users),
    }));
    cached.catch(() => { cached = null; });
  }
  return cached;
}

function byId(items) {
  return new Map(items.map((item) => [item.id, item]));
}

/** Micro-grids grouped by grid, each group and its micro-grids sorted by name. */
export function microGridsByGrid(dir) {
  const groups = [...dir.grids.values()]
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN', { numeric: true }))
    .map((grid) => ({ grid, microGrids: [] }));
  const index = new Map(groups.map((g) => [g.grid.id, g]));
  for (const mg of dir.microGrids.values()) index.get(mg.grid_id)?.microGrids.push(mg);
  for (const g of groups) g.microGrids.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN', { numeric: true }));
  return groups;
}

export const userName = (dir, id) => (id && dir.users.get(id)?.display_name) || '';
export const microGridName = (dir, id) => dir.microGrids.get(id)?.name || '';
