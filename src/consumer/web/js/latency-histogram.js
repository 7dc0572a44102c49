import { $, el } from './dom.js';

const WINDOW_MS = 10_000;
// Upper bounds of the bars, ms: finer where a healthy pipeline is, coarse where an outage is.
const BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, Infinity];
// Under each bar its upper bound, short enough to fit; its title says the whole range.
const short = (i) => (BOUNDS[i] === Infinity ? '1 s+' : String(BOUNDS[i]));
const range = (i) => (BOUNDS[i] === Infinity ? '≥ ' + BOUNDS[i - 1] : '< ' + BOUNDS[i]) + ' ms';
let recent = [];

/** One publish→browser latency measured in this page, kept for the last window. */
export function recordForHistogram(ms) {
  recent.push({ at: Date.now(), ms });
}

/** The last 10 s of publish→browser latencies as bars, a DOM bar chart (heights set through CSSOM, allowed by the policy). */
export function drawHistogram() {
  const from = Date.now() - WINDOW_MS;
  recent = recent.filter((r) => r.at >= from);
  const counts = BOUNDS.map(() => 0);
  for (const r of recent) counts[BOUNDS.findIndex((b) => r.ms < b)] += 1;
  const box = $('histogram');
  box.dataset.count = String(recent.length);
  if (!recent.length) return box.replaceChildren(el('div', 'empty', 'No pattern in the last 10 s.'));
  const max = Math.max(...counts);
  box.replaceChildren(
    ...counts.map((n, i) => {
      const bar = el('div', 'bin');
      bar.dataset.bound = String(BOUNDS[i]);
      bar.dataset.count = String(n);
      bar.title = range(i) + ': ' + n;
      const fill = el('div', 'fill');
      fill.style.height = (n ? Math.max(2, (n / max) * 100) : 0) + '%';
      bar.append(el('div', 'n', n || ''), fill, el('div', 'b', short(i)));
      return bar;
    }),
  );
}
