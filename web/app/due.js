// Which households are due, counted as the server counts: in the township's days (its time
// zone), a family visited today or on the (interval − 1) days before is not due, its interval
// the smallest of the township's and its tags' (priority groups: 独居老人 every 3 days, say).
// The phone's own unsent visits count, so the list moves as the leader works offline.

const dayFormats = new Map();

// The calendar day of `date` in `timeZone`, as a day number (days since 1970-01-01).
export function dayNumber(date, timeZone) {
  if (!dayFormats.has(timeZone)) {
    dayFormats.set(timeZone, new Intl.DateTimeFormat('en-CA', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
    }));
  }
  const [y, m, d] = dayFormats.get(timeZone).format(date).split('-').map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

// The newest visit of each household: the server's, or the phone's own if newer.
export function lastVisits(households, queuedVisits) {
  const last = new Map();
  for (const h of households) {
    if (h.last_visited_at) last.set(h.id, h.last_visited_at);
  }
  for (const v of queuedVisits) {
    const known = last.get(v.household_id);
    if (!known || new Date(v.visited_at) > new Date(known)) last.set(v.household_id, v.visited_at);
  }
  return last;
}

// Every household with `daysSince` (null: never visited) and `due`, due ones first: never
// visited, then the longest unvisited; then by address.
export function withDueState(households, queuedVisits, { timeZone, intervalDays, tagIntervals = {} }, now = new Date()) {
  const last = lastVisits(households, queuedVisits);
  const today = dayNumber(now, timeZone);
  const rows = households.map((household) => {
    const lastVisit = last.get(household.id) || null;
    const daysSince = lastVisit ? today - dayNumber(new Date(lastVisit), timeZone) : null;
    const interval = intervalOf(household, intervalDays, tagIntervals);
    return { household, lastVisit, daysSince, interval, due: daysSince === null || daysSince >= interval };
  });
  rows.sort((a, b) => {
    if (a.due !== b.due) return a.due ? -1 : 1;
    const ad = a.daysSince === null ? Infinity : a.daysSince;
    const bd = b.daysSince === null ? Infinity : b.daysSince;
    if (ad !== bd) return bd - ad;
    return a.household.address.localeCompare(b.household.address, 'zh-CN');
  });
  return rows;
}

// A household's visit interval: the smallest of the township's and its tags' own.
export function intervalOf(household, intervalDays, tagIntervals) {
  let interval = intervalDays;
  for (const tag of household.tags || []) {
    if (tagIntervals[tag] && tagIntervals[tag] < interval) interval = tagIntervals[tag];
  }
  return interval;
}

// Name or address contains the words typed (each word, any order).
export function matches(household, query) {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const text = `${household.name} ${household.address}`.toLowerCase();
  return words.every((w) => text.includes(w));
}
