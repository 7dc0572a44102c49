// How the panels write figures: one place, so that "12 s ago" and "1.2 ms" read the same everywhere.
export const ago = (s) => (s === null || s === undefined ? 'never' : Math.max(0, s).toFixed(0) + ' s ago');
export const ms = (v) =>
  v === null || v === undefined ? '—' : v < 10 ? v.toFixed(2) + ' ms' : v.toFixed(1) + ' ms';
export const perSecond = (v) => v.toFixed(1) + '/s';

/** `text`, or why the part of the aggregate could not be read this second ("PostgreSQL did not answer within 700 ms"). */
export function orWhy(aggregate, part, text) {
  const found = aggregate.unavailable.find((u) => u.part === part || u.part === 'stores');
  return found ? 'unavailable: ' + found.reason : text;
}
