import type { Namespace } from 'socket.io';

/**
 * The clients of every consumer in a group, as Socket.IO's adapter last counted them (fetchSockets asks
 * each server; once a second, never per event). A checkpoint's user count, not a gate: a group's
 * consumer emits every event it handles, since a client may have joined another one a moment ago.
 */
export function groupClients(namespace: Namespace, intervalMs = 1000) {
  let counted = 0;
  let asking = false;
  const timer = setInterval(() => {
    if (asking) return;
    asking = true;
    namespace
      .fetchSockets()
      .then((sockets) => (counted = sockets.length))
      .catch(() => undefined) // a consumer that did not answer in time: the last count stands
      .finally(() => (asking = false));
  }, intervalMs).unref();
  return {
    count: () => Math.max(counted, namespace.sockets.size),
    stop: () => clearInterval(timer),
  };
}
