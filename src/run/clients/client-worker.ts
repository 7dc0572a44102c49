import { isHarnessError } from '../../errors/harness-error.ts';
import type { Clock } from '../../shared/clock.ts';
import { LatencyHistogram } from '../../shared/latency-histogram.ts';
import { createFlowLedger } from '../flow-ledger.ts';
import { connectClients, type PatternReceipt } from './socket-clients.ts';
import type { FromWorker, ToWorker } from './worker-messages.ts';

/** The side of a process that talks to its parent (a forked child's `process`). */
export interface ParentPort {
  send(message: FromWorker): void;
  on(event: 'message', listener: (message: ToWorker) => void): void;
}

const PROGRESS_MS = 100;

/**
 * A clients worker: some of a run's Socket.IO clients in their own process, so that receiving and
 * timing never queue behind the generator. It learns each flow as it is sent, keeps its own ledger and
 * histogram, and hands both back when told to finish. A receipt that arrives before its flow's `sent`
 * message is held and counted once the message comes.
 */
export function serveClientWorker(port: ParentPort, clock: Clock): void {
  let finish: ((errors: readonly (readonly [string, number])[]) => void) | undefined;
  port.on('message', (message) => {
    if (message.type === 'start') {
      void work(port, clock, message.config, (f) => (finish = f));
    }
    if (message.type === 'finish') finish?.(message.errors);
  });
}

async function work(
  port: ParentPort,
  clock: Clock,
  config: Extract<ToWorker, { type: 'start' }>['config'],
  onFinish: (finish: (errors: readonly (readonly [string, number])[]) => void) => void,
): Promise<void> {
  const ledger = createFlowLedger(config.clients);
  const latency = new LatencyHistogram();
  const warmupLatency = new LatencyHistogram();
  const warmup = new Set<string>();
  const early = new Map<string, PatternReceipt[]>();
  let unreadable = 0;
  // Each error's first receipt per client: id → client → when.
  const errorReceipts = new Map<string, Map<number, number>>();
  const take = (r: PatternReceipt): void => {
    if (warmup.has(r.flowId)) warmupLatency.record(r.receivedAtMs - r.intendedAtMs);
    else if (ledger.received(r.client, r.flowId)) latency.record(r.receivedAtMs - r.intendedAtMs);
  };
  port.on('message', (message) => {
    if (message.type !== 'sent') return;
    for (const [flowId, at] of message.flows) {
      if (message.warmup) warmup.add(flowId);
      else ledger.sent(flowId, at);
      early.get(flowId)?.forEach(take);
      early.delete(flowId);
    }
  });
  let clients: { close(): void };
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
  const progress = setInterval(
    () =>
      port.send({
        type: 'progress',
        known: ledger.sentCount(),
        delivered: ledger.allDelivered(),
        receivedMin: Math.min(...ledger.receivedPerClient()),
      }),
    PROGRESS_MS,
  );
  onFinish((errors) => {
    clearInterval(progress);
    clients.close();
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
        warmupHistogram: warmupLatency.encode(),
        receivedPerClient: ledger.receivedPerClient(),
        lost: ledger.lost().map((l) => [l.flowId, l.clientsReceived] as const),
        foreign,
        unreadable,
        errorHistogram: errorLatency.encode(),
        errorsLost,
      },
    });
  });
}
