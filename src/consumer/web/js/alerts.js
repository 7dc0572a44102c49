import { $, el, prependCapped } from './dom.js';

export function showAlert(a) {
  const div = el('div', 'a');
  div.append(el('div', 'r', a.rule.replace(/_/g, ' ')), el('div', '', a.message));
  prependCapped($('alerts'), div, 20);
}
