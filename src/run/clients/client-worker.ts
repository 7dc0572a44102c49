import { isHarnessError } from '../../errors/harness-error.ts';
import type { Clock } from '../../shared/clock.ts';
import { LatencyHistogram } from '../../shared/latency-histogram.ts';
import { createFlowLedger } from '../flow-ledger.ts';
import { createLatencyBySecond } from './latency-by-second.ts';
import { connectClients, type ConnectedClients, type PatternReceipt } from './socket-clients.ts';
import type { FromWorker, ToWorker } from './worker-messages.ts';

/** The side of a process that talks to its parent (a forked child's `process`). */
export interface ParentPort {
  send(message: FromWorker): void;
  on(event: 'message', listener: (message: ToWorker) => void): void;
}

const PROGRESS_MS = 100;
/**
 * The latency so far rides on every tenth progress message (once a second), the ninth of each ten so the
 * run's line, drawn each second, has one under a second old. It is a 2-digit copy: encoding the 3-digit
 * one would stall the worker's loop (and its receipt times) ≈ 10 ms each second.
 */
const LATENCY_EVERY = 10;

/**
 * A clients worker: some of a run's Socket.IO clients in their own process, so that receiving and
 * timing never queue behind the generator. It learns each flow as it is sent, keeps its own ledger and
 * histogram, and hands both back when told to finish. A receipt that arrives before its flow's `sent`
 * message is held and counted once the message comes.
 */
export function serveClientWorker(port: ParentPort, clock: Clock): void {
  let finish: ((m: Extract<ToWorker, { type: 'finish' }>) => void) | undefined;
  port.on('message', (message) => {
    if (message.type === 'start') {
      void work(port, clock, message.config, (f) => (finish = f));
    }
    if (message.type === 'finish') finish?.(message);
  });
}

async function work(
  port: ParentPort,
  clock: Clock,
  config: Extract<ToWorker, { type: 'start' }>['config'],
  onFinish: (finish: (m: Extract<ToWorker, { type: 'finish' }>) => void) => void,
): Promise<void> {
  const ledger = createFlowLedger(config.clients);
  const latency = new LatencyHistogram();
  const warmupLatency = new LatencyHistogram();
  const bySecond = createLatencyBySecond();
  const soFar = new LatencyHistogram({ digits: 2 });
  /** Warm-up flows and their intended send times: timed apart, never judged. */
  const warmup = new Map<string, number>();
  const early = new Map<string, PatternReceipt[]>();
  // Each flow's first receipt by any client: [intended, received] epoch ms, for recovery after a fault.
  const firstReceipts = new Map<string, readonly [number, number]>();
  let unreadable = 0;
  // Each error's first receipt per client: id → client → when.
  const errorReceipts = new Map<string, Map<number, number>>();
  const take = (r: PatternReceipt): void => {
    const warm = warmup.get(r.flowId);
    if (warm !== undefined) warmupLatency.record(r.receivedAtMs - warm);
    else if (ledger.received(r.client, r.flowId)) {
      const intendedAtMs = ledger.intendedAt(r.flowId)!;
      latency.record(r.receivedAtMs - intendedAtMs);
      bySecond.record(intendedAtMs, r.receivedAtMs);
      soFar.record(r.receivedAtMs - intendedAtMs);
      if (!firstReceipts.has(r.flowId)) firstReceipts.set(r.flowId, [intendedAtMs, r.receivedAtMs]);
    }
  };
  let clients: ConnectedClients | undefined;
  port.on('message', (message) => {
    if (message.type === 'drop')
      void clients
        ?.drop(Math.round(message.share * config.clients))
        .then(() => port.send({ type: 'dropped' }));
    if (message.type !== 'sent') return;
    for (const [flowId, at] of message.flows) {
      if (message.warmup) warmup.set(flowId, at);
      else {
        bySecond.start(at);
        ledger.sent(flowId, at);
      }
      early.get(flowId)?.forEach(take);
      early.delete(flowId);
    }
  });
  try {
    clients = await connectClients(config.target, config.profile, config.clients, {
      clock,
      onPattern: (r) => {
        if (ledger.has(r.flowId) || warmup.has(r.flowId)) return take(r);
        const held = early.get(r.flowId);
        if (held === undefined) early.set(r.flowId, [r]);
        else held.push(r);
      },
      onUnreadable: () => (unreadable += 1),
      onError: config.errors
        ? (client, errorId, receivedAtMs) => {
            const byClient = errorReceipts.get(errorId) ?? new Map<number, number>();
            if (!byClient.has(client)) byClient.set(client, receivedAtMs);
            errorReceipts.set(errorId, byClient);
          }
        : undefined,
    });
  } catch (error) {
    const e = isHarnessError(error) ? error : undefined;
    port.send({
      type: 'failed',
      code: e?.code ?? 'RUN_CLIENTS_FAILED',
      message: e?.message.split('\n')[0] ?? String(error),
      hint: e?.hint ?? 'See the message above.',
    });
    return;
  }
  port.send({ type: 'ready' });
  let ticks = 0;
  const progress = setInterval(() => {
    ticks += 1;
    port.send({
      type: 'progress',
      known: ledger.sentCount(),
      delivered: ledger.allDelivered(),
      receivedMin: Math.min(...ledger.receivedPerClient()),
      ...(ticks % LATENCY_EVERY === LATENCY_EVERY - 1 ? { latency: soFar.encode() } : {}),
    });
  }, PROGRESS_MS);
  onFinish(({ errors, since }) => {
    clearInterval(progress);
    clients?.close();
    const errorLatency = new LatencyHistogram();
    const errorsLost: [string, number][] = [];
    for (const [errorId, intendedAtMs] of errors) {
      const byClient = errorReceipts.get(errorId);
      byClient?.forEach((at) => errorLatency.record(at - intendedAtMs));
      if ((byClient?.size ?? 0) < config.clients) errorsLost.push([errorId, byClient?.size ?? 0]);
    }
    let foreign = ledger.foreign();
    for (const held of early.values()) foreign += held.length;
    port.send({
      type: 'result',
      result: {
        histogram: latency.encode(),
        latencyBySecond: bySecond.encode(),
        warmupHistogram: warmupLatency.encode(),
        receivedPerClient: ledger.receivedPerClient(),
        lost: ledger.lost().map((l) => [l.flowId, l.clientsReceived] as const),
        foreign,
        unreadable,
        errorHistogram: errorLatency.encode(),
        errorsLost,
        firstReceiptSince: since.map((t) => firstReceiptSince(firstReceipts.values(), t)),
      },
    });
  });
}

/** The earliest receipt of a flow meant to be sent at or after `t`; null: none. */
function firstReceiptSince(receipts: Iterable<readonly [number, number]>, t: number): number | null {
  let first: number | null = null;
  for (const [intended, received] of receipts)
    if (intended >= t && (first === null || received < first)) first = received;
  return first;
}
