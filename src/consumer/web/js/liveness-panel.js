import { $, el } from './dom.js';
import { ago, orWhy } from './format.js';

const line = (label, value, key) => {
  const row = el('div', 'kv');
  row.dataset.key = key;
  row.append(el('span', 'k', label), el('span', 'v', value));
  return row;
};

/** Both sides alive: heartbeat ages, subscribers per channel, connection errors, the checkpoint writer. */
export function showLiveness(a) {
  const p = a.producer;
  const c = a.consumer;
  const rows = [
    line('Producer heartbeat key', orWhy(a, 'producer heartbeat key', ago(p?.keyAgeSeconds)), 'producer-key'),
    line(
      'Producer PRODUCER_ALIVE',
      orWhy(a, 'producer heartbeat', ago(p?.aliveAgeSeconds)),
      'producer-alive',
    ),
    line(
      'Consumer SUBSCRIBER_ALIVE',
      orWhy(a, 'consumer heartbeat', ago(a.consumerAliveAgeSeconds)),
      'consumer-alive',
    ),
    line(
      'Connection errors',
      c.connectionErrors + ' (' + c.reconnections + ' reconnections)',
      'connection-errors',
    ),
    line(
      'Checkpoint writer',
      c.writerBacklog + ' waiting · ' + c.writerDropped + ' dropped · ' + c.writerRefused + ' refused',
      'writer',
    ),
  ];
  const subs = a.subscribers
    ? a.subscribers.map((s) => {
        const row = line(
          s.channel,
          s.subscribers + (s.subscribers === 1 ? ' subscriber' : ' subscribers'),
          'subscribers',
        );
        row.dataset.channel = s.channel;
        if (s.subscribers === 0) row.classList.add('bad');
        return row;
      })
    : [el('div', 'empty', orWhy(a, 'subscribers', ''))];
  $('alive').replaceChildren(...rows, el('h3', '', 'Subscribers per channel'), ...subs);
}
