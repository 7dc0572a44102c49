import { $, el } from './dom.js';
import { orWhy, perSecond } from './format.js';

function incompleteRow(f) {
  const row = el('div', 'row');
  row.dataset.flowId = f.flowId;
  const head = el('div', 'head');
  head.append(
    el('span', 'id', f.flowId),
    el('span', '', [f.symbol, f.pattern].filter(Boolean).join(' ')),
    el('span', 'stop', 'stopped after ' + (f.lastCheckpoint ?? '—')),
  );
  row.append(head, el('div', 'why', f.diagnosis));
  return row;
}

function rejectedRow(r) {
  const row = el('div', 'row');
  const head = el('div', 'head');
  head.append(
    el('span', '', new Date(r.at).toLocaleTimeString()),
    el('span', 'id', r.flowId ?? 'no flow id'),
  );
  row.append(head);
  for (const v of r.violations)
    row.append(el('div', 'why', v.path + ' ' + v.code + (v.hint ? ' · ' + v.hint : '')));
  return row;
}

/** A figure as text, and as the number it came from (data-value, empty: unread) for tests and tools. */
function figure(id, value, format) {
  const box = $(id);
  box.textContent = value === null ? '—' : format(value);
  box.dataset.value = value === null ? '' : String(value);
}

const listOr = (items, draw, none) => (items.length ? items.map(draw) : [el('div', 'empty', none)]);

/** Flows: events/s in and out, complete vs incomplete in the window, where each incomplete one stopped and why, rejections. */
export function showFlows(a) {
  figure('rate-in', a.rates.receivedPerSecond, perSecond);
  figure('rate-out', a.rates.deliveredPerSecond, perSecond);
  // Under load the window is read at most 1 % of the time: say how old it is once that shows.
  const age = a.flowsReadAt ? Math.round((Date.parse(a.at) - Date.parse(a.flowsReadAt)) / 1000) : 0;
  $('flows-window').textContent = a.windowSeconds
    ? '(last ' + a.windowSeconds + ' s' + (age >= 2 ? ', read ' + age + ' s ago' : '') + ')'
    : '';
  figure('flows-complete', a.flows?.complete ?? null, (n) => n.toLocaleString());
  figure('flows-incomplete', a.flows?.incomplete ?? null, (n) => n.toLocaleString());
  $('incomplete').replaceChildren(
    ...(a.incomplete
      ? listOr(
          a.incomplete,
          incompleteRow,
          'None: every flow older than ' + a.settleSeconds + ' s is complete.',
        )
      : [el('div', 'empty', orWhy(a, 'incomplete', ''))]),
  );
  $('rejected').replaceChildren(
    ...(a.rejected
      ? listOr(a.rejected, rejectedRow, 'No message rejected.')
      : [el('div', 'empty', orWhy(a, 'rejected', ''))]),
  );
}
