import { $, el } from './dom.js';

// More would cover the panels at a few errors a second; the list below has them all.
const MAX_TOASTS = 3;

export function toast(e) {
  const t = el('div', 'toast ' + e.severity);
  t.append(
    el('div', 't', (e.simulated ? 'simulated ' : '') + e.severity + ' · ' + e.category),
    el('div', '', e.message + (e.symbol ? ' (' + e.symbol + ')' : '')),
  );
  const box = $('toasts');
  box.prepend(t);
  while (box.children.length > MAX_TOASTS) box.lastChild.remove();
  setTimeout(() => t.remove(), 5000);
}

/** The critical banner: stays until dismissed, never an alert dialog. */
export function criticalBanner(e) {
  const b = $('banner');
  b.querySelector('strong').textContent = e.simulated ? 'SIMULATED CRITICAL' : 'CRITICAL';
  b.querySelector('.text').textContent =
    e.type +
    ': ' +
    e.message +
    (e.symbol ? ' (' + e.symbol + ')' : '') +
    ' · ' +
    new Date(e.timestamp).toLocaleTimeString();
  b.classList.add('show');
}

export function dismissableBanner() {
  $('banner')
    .querySelector('button')
    .addEventListener('click', () => $('banner').classList.remove('show'));
}
