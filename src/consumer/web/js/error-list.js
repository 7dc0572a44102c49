import { api } from './api.js';
import { CATEGORIES, STORED_SEVERITIES } from './contract.js';
import { $, el, now, probe } from './dom.js';

const MAX_ITEMS = 200;
const state = { errors: [], filter: 'all', counts: { total: 0, critical: 0, error: 0, warning: 0 } };
const shownHere = (e) => state.filter === 'all' || e.category === state.filter;

function item(e) {
  const sev = ['critical', 'error', 'warning', 'info'].includes(e.severity) ? e.severity : 'info';
  const div = el('div', 'item ' + sev);
  div.dataset.id = e.id;
  div.tabIndex = 0;
  div.setAttribute('role', 'button');
  div.setAttribute('aria-expanded', 'false');
  const head = el('div', 'head');
  head.append(
    el('span', '', new Date(e.timestamp).toLocaleTimeString()),
    el('span', 'badge ' + sev, e.severity),
    el('span', 'cat', '[' + e.category + ']'),
  );
  if (e.simulated) head.append(el('span', 'badge simulated', 'simulated'));
  if (e.symbol) head.append(el('span', 'sym', e.symbol));
  if (e.count > 1) head.append(el('span', '', '× ' + e.count));
  div.append(head, el('div', 'msg', (e.type ? e.type + ': ' : '') + e.message));
  if (e.component) div.append(el('div', 'comp', 'Component: ' + e.component));
  return div;
}

function renderCounts() {
  for (const k of Object.keys(state.counts)) $('c-' + k).textContent = state.counts[k].toLocaleString();
}

function renderList() {
  const shown = state.errors.filter(shownHere);
  const none = 'No errors' + (state.filter === 'all' ? ' yet.' : ' in ' + state.filter + '.');
  $('errors').replaceChildren(...(shown.length ? shown.map(item) : [el('div', 'empty', none)]));
  $('count-shown').textContent = shown.length ? '(' + shown.length + ')' : '';
}

/** One button per category of the contract, and All. */
export function renderFilters() {
  const filters = $('filters');
  for (const f of ['all', ...CATEGORIES]) {
    const b = el(
      'button',
      f === 'all' ? 'active' : '',
      f === 'all' ? 'All' : f[0].toUpperCase() + f.slice(1),
    );
    b.type = 'button';
    b.dataset.filter = f;
    b.addEventListener('click', () => {
      state.filter = f;
      for (const x of filters.children) x.classList.toggle('active', x === b);
      renderList();
    });
    filters.append(b);
  }
}

/** The stored errors and the 24 h counts, as the REST API answered them. */
export function showStored(recent, stats) {
  state.counts = {
    total: stats.total,
    critical: stats.bySeverity.critical || 0,
    error: stats.bySeverity.error || 0,
    warning: stats.bySeverity.warning || 0,
  };
  renderCounts();
  state.errors = recent.slice(0, MAX_ITEMS);
  renderList();
}

/**
 * An error broadcast live: drawn first when the filter shows it, and counted as the database counts it
 * (warnings are broadcast, not stored: their card counts since the page loaded).
 */
export function addError(e) {
  state.errors.unshift(e);
  if (state.errors.length > MAX_ITEMS) state.errors.length = MAX_ITEMS;
  const n = e.count || 1;
  if (STORED_SEVERITIES.includes(e.severity)) state.counts.total += n;
  if (e.severity in state.counts) state.counts[e.severity] += n;
  renderCounts();
  if (shownHere(e)) {
    const box = $('errors');
    if (box.firstChild && box.firstChild.classList.contains('empty')) box.replaceChildren();
    box.prepend(item(e));
    while (box.children.length > MAX_ITEMS) box.lastChild.remove();
    $('count-shown').textContent = '(' + box.children.length + ')';
  }
  probe.renderedAt[e.id] = now();
}

function detailOf(d) {
  if (d === null)
    return [el('div', 'empty', 'Not stored: warnings and "N similar errors" summaries are only broadcast.')];
  const parts = [
    el('div', 'comp', [d.component, d.operation].filter(Boolean).join(' · ') || 'No component given.'),
  ];
  parts.push(el('h3', '', 'Traceback'), el('pre', 'traceback', d.traceback || 'No traceback was sent.'));
  parts.push(
    el('h3', '', 'Context'),
    el('pre', 'context', d.context ? JSON.stringify(d.context, null, 2) : 'No context was sent.'),
  );
  return parts;
}

/** A click (or Enter) on a row opens its stored context and traceback under it; again closes it. */
export function openableRows() {
  const toggle = async (row) => {
    const open = row.querySelector('.detail');
    row.setAttribute('aria-expanded', String(!open));
    if (open) return open.remove();
    const box = el('div', 'detail', 'Loading…');
    row.append(box);
    try {
      box.replaceChildren(...detailOf(await api('/api/errors/detail/' + encodeURIComponent(row.dataset.id))));
    } catch (err) {
      box.textContent = 'Could not load the details: ' + err.message;
    }
  };
  const rowOf = (event) => (event.target.closest('.detail') ? null : event.target.closest('#errors .item'));
  $('errors').addEventListener('click', (event) => rowOf(event) && toggle(rowOf(event)));
  $('errors').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && rowOf(event)) void toggle(rowOf(event));
  });
}
