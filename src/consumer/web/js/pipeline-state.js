import { $ } from './dom.js';

/** The parts the consumer could not read this second, said once above the panels (empty: hidden). */
export function showUnavailable(a) {
  const box = $('unavailable');
  box.hidden = a.unavailable.length === 0;
  box.textContent = a.unavailable.length
    ? 'Not read this second: ' + a.unavailable.map((u) => u.part + ' (' + u.reason + ')').join('; ') + '.'
    : '';
}
