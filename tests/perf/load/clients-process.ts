/* Browsers under load, in their own process: N Socket.IO clients measuring publish → client latency. */
import { io } from 'socket.io-client';
import type { PatternEvent } from '../../../src/contract/schemas/pattern-event.ts';
import { systemClock } from '../../../src/shared/clock.ts';
import { LatencyHistogram, type LatencySummary } from '../../../src/shared/latency-histogram.ts';
import { childConfig, onReset, onStop, sendToParent } from './ipc.ts';

export interface ClientsProcessConfig {
  readonly url: string;
  readonly clients: number;
}

export interface ClientsProcessResult {
  readonly latency: LatencySummary;
  readonly receivedPerClient: readonly number[];
}

const config = childConfig<ClientsProcessConfig>();
let latency = new LatencyHistogram();
const received = Array.from({ length: config.clients }, () => 0);
const sockets = Array.from({ length: config.clients }, (_, i) => {
  const socket = io(config.url, { transports: ['websocket'], reconnection: false });
  socket.on('pattern_alert', (event: PatternEvent) => {
    latency.record(systemClock.now() - event.timestamp * 1000);
    received[i] = (received[i] ?? 0) + 1;
  });
  return socket;
});
await Promise.all(
  sockets.map(
    (s) =>
      new Promise<void>((resolve, reject) =>
        s.connected ? resolve() : (s.once('connect', () => resolve()), s.once('connect_error', reject)),
      ),
  ),
);
sendToParent({ type: 'ready' });
// The fewest events any one client has received: the orchestrator waits for it to reach what was sent.
const progress = setInterval(() => sendToParent({ type: 'progress', count: Math.min(...received) }), 50);
const sendResult = (): void => {
  const result: ClientsProcessResult = { latency: latency.summary(), receivedPerClient: [...received] };
  sendToParent({ type: 'result', result });
};
// After the warm-up: what it measured goes back, and the clients start again from zero.
onReset(() => {
  sendResult();
  latency = new LatencyHistogram();
  received.fill(0);
});
onStop(() => {
  clearInterval(progress);
  sockets.forEach((s) => s.disconnect());
  sendResult();
  return Promise.resolve();
});
