// Everything a producer sends is set with textContent: no message can become markup or script.
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

export const $ = (id) => document.getElementById(id);

/** Wall-clock milliseconds with sub-millisecond precision, comparable with a producer's timestamp. */
export const now = () => performance.timeOrigin + performance.now();

/** Puts `row` first in `box` (dropping its "nothing yet" line) and keeps at most `max` rows. */
export function prependCapped(box, row, max) {
  if (box.firstChild && box.firstChild.classList.contains('empty')) box.replaceChildren();
  box.prepend(row);
  while (box.children.length > max) box.lastChild.remove();
}

/** What the browser tests read: when each error was drawn, and whether the stored ones are. */
export const probe = (window.__tickstock = { renderedAt: {}, loaded: false });
