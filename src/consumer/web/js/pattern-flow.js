import { $, el, now, prependCapped } from './dom.js';

let patterns = 0;

/**
 * The last 30 patterns of the consumer's sample (at most 20 a second, spread over it), each with its
 * publish→browser latency; the rate line says how many of the second's events the sample holds.
 */
export function showPattern(p, latencyMs) {
  patterns += 1;
  const row = el('div', 'row');
  row.append(
    el('span', '', p.data.symbol),
    el('span', 'p', p.data.pattern),
    el('span', '', Math.round(p.data.confidence * 100) + ' %'),
    el('span', 'lat', latencyMs.toFixed(1) + ' ms'),
  );
  prependCapped($('flow'), row, 30);
}

export function everySecond() {
  $('flow-rate').textContent = patterns ? '(a sample: ' + patterns + '/s)' : '';
  patterns = 0;
}

export const latencyOf = (p) => now() - p.timestamp * 1000;
