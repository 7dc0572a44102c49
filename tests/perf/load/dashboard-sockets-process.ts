/*
 * `n` dashboards as the consumer sees them: Socket.IO clients on /monitoring, sent what a page is sent (the
 * aggregate each second, errors, a pattern sample). In a process of their own at the lowest priority, as
 * `run --browsers` runs its pages: in a deployment the browsers' CPU is elsewhere, and what is measured
 * is what serving them costs the consumer, not what reading it costs 2 shared cores.
 */
import { setPriority } from 'node:os';
import { io } from 'socket.io-client';
import { NAMESPACES, SOCKET_EVENTS } from '../../../src/contract/socket-events.ts';
import { childConfig, onStop, sendToParent } from './ipc.ts';

export interface DashboardSocketsConfig {
  readonly consumerUrl: string;
  readonly sockets: number;
}
/** What the sockets were sent in all: a dashboard that got nothing measured nothing. */
export interface DashboardSocketsResult {
  readonly aggregates: number;
  readonly samples: number;
}

const config = childConfig<DashboardSocketsConfig>();
setPriority(19);
const result = { aggregates: 0, samples: 0 };
const sockets = Array.from({ length: config.sockets }, () => {
  const socket = io(`${config.consumerUrl}${NAMESPACES.monitoring}`, { transports: ['websocket'] });
  socket.on(SOCKET_EVENTS.pipelineAggregate, () => (result.aggregates += 1));
  socket.on(SOCKET_EVENTS.patternSample, () => (result.samples += 1));
  return socket;
});
await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.once('connect', () => resolve()))));
sendToParent({ type: 'ready' });
onStop(() => {
  sockets.forEach((s) => s.disconnect());
  sendToParent({ type: 'result', result });
  return Promise.resolve();
});
