import { $ } from './dom.js';
import { askForToken } from './token-form.js';

/**
 * The header pill and the connection banner. While either socket is down, the page says since when
 * and greys the panels: what they show stopped updating then.
 */
export function watchConnection(sockets) {
  const pill = $('conn');
  const banner = $('conn-banner');
  let lostAt;
  const show = (live, text) => {
    pill.className = live ? 'pill live' : 'pill red';
    pill.querySelector('.t').textContent = live ? 'live' : 'disconnected';
    document.body.classList.toggle('stale', !live);
    banner.hidden = live;
    if (!live) banner.textContent = text;
  };
  const down = (why) => {
    lostAt ??= new Date();
    show(
      false,
      'Connection to the consumer lost at ' +
        lostAt.toLocaleTimeString() +
        '. ' +
        why +
        ' The greyed figures stopped updating then.',
    );
  };
  for (const socket of Object.values(sockets)) {
    socket.on('connect', () => {
      if (Object.values(sockets).every((s) => s.connected)) {
        lostAt = undefined;
        show(true);
      }
    });
    socket.on('disconnect', (reason) => {
      down('Reconnecting…');
      // The server ended this socket itself: Socket.IO would not try again on its own.
      if (reason === 'io server disconnect') socket.connect();
    });
    // Socket.IO's own words for this ("xhr poll error") mean nothing to a person.
    socket.on('connect_error', (err) => {
      if (/^unauthorized/.test(err.message)) askForToken();
      else down('Cannot reach it; retrying every few seconds.');
    });
  }
}
