import { $, el } from './dom.js';
import { ms, orWhy } from './format.js';

/** A figure's cell: its text, and the number it came from (data-value, empty: none) for tests and tools. */
function cell(metric, value, text) {
  const td = el('td', 'n', text);
  td.dataset.metric = metric;
  td.dataset.value = value === null ? '' : String(value);
  return td;
}

/** Per-hop latency from the checkpoints' times: published → received → parsed → delivered, p50 and p99. */
export function showHops(a) {
  $('hops-window').textContent = a.windowSeconds ? '(last ' + a.windowSeconds + ' s)' : '';
  if (!a.hops) return $('hops').replaceChildren(el('div', 'empty', orWhy(a, 'hops', '')));
  const table = el('table');
  const head = el('tr');
  for (const h of ['Hop', 'Flows', 'p50', 'p99']) head.append(el('th', '', h));
  table.append(head);
  for (const h of a.hops) {
    const row = el('tr');
    row.dataset.hop = h.hop;
    row.append(
      el('td', '', h.hop),
      cell('count', h.count, h.count),
      cell('p50', h.p50, ms(h.p50)),
      cell('p99', h.p99, ms(h.p99)),
    );
    table.append(row);
  }
  $('hops').replaceChildren(table);
}
