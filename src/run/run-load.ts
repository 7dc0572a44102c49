import type { ConsumerProfile } from '../contract/consumer-profiles.ts';
import type { TimerClock } from '../shared/clock.ts';
import { LatencyHistogram, type LatencySummary } from '../shared/latency-histogram.ts';
import { connectClients, type SocketTargetOptions } from './clients/socket-clients.ts';
import { createFlowLedger } from './flow-ledger.ts';
import type { MetricValues } from './metrics.ts';
import { evaluateThresholds, type Threshold, type ThresholdResult } from './thresholds.ts';

/** What generates the load: told of each flow as it goes out, it resolves when it has sent all. */
export interface LoadSource {
  run(onSent: (flowId: string, intendedAtMs: number) => void): Promise<LoadSourceStats>;
  /** Stops sending (Ctrl+C); `run` then resolves with what was sent. */
  stop(): void;
}

export interface LoadSourceStats {
  readonly sent: number;
  /** How late the generator sent each message against its own schedule. */
  readonly lateness: LatencySummary;
}

export interface RunOptions {
  readonly target: SocketTargetOptions;
  readonly profile: ConsumerProfile;
  readonly clients: number;
  /** After the last send, how long the clients may take to receive what is missing. */
  readonly graceMs: number;
  readonly thresholds: readonly Threshold[];
}

/** What the live progress line shows, once a second. */
export interface RunProgress {
  readonly elapsedMs: number;
  readonly sent: number;
  readonly receivedMin: number;
  readonly publishToClient: LatencySummary;
}

export interface RunResult {
  readonly startedAt: Date;
  readonly elapsedMs: number;
  readonly profile: string;
  readonly clients: number;
  readonly sent: number;
  readonly receivedPerClient: readonly number[];
  /** Receipts of flows this run did not send. */
  readonly foreign: number;
  /** Payloads without a flow id or publish time where the profile looks: a sign of the wrong profile. */
  readonly unreadable: number;
  readonly publishToClient: LatencySummary;
  readonly generatorLateness: LatencySummary;
  readonly lost: readonly { readonly flowId: string; readonly clientsReceived: number }[];
  readonly thresholds: readonly ThresholdResult[];
  readonly verdict: 'pass' | 'fail';
}

const PROGRESS_MS = 1000;
const LOST_LISTED = 1000;

/**
 * One load run: clients connect first (a consumer that refuses them stops the run before any load),
 * the source sends, the clients get `graceMs` after the last send to receive what is missing, then
 * the thresholds are judged. Latency runs from each flow's intended send time.
 */
export async function runLoad(
  deps: {
    readonly source: LoadSource;
    readonly clock: TimerClock;
    /** Once every client is connected, before the first send. */
    readonly onStart?: () => void;
    readonly onProgress?: (p: RunProgress) => void;
  },
  options: RunOptions,
): Promise<RunResult> {
  const { clock, source } = deps;
  const ledger = createFlowLedger(options.clients);
  const latency = new LatencyHistogram();
  let unreadable = 0;
  const clients = await connectClients(options.target, options.profile, options.clients, {
    clock,
    onPattern: (r) => {
      if (ledger.received(r.client, r.flowId)) latency.record(r.receivedAtMs - r.intendedAtMs);
    },
    onUnreadable: () => (unreadable += 1),
  });
  deps.onStart?.();
  const startedAtMs = clock.now();
  const progress = (): RunProgress => ({
    elapsedMs: clock.now() - startedAtMs,
    sent: ledger.sentCount(),
    receivedMin: Math.min(...ledger.receivedPerClient()),
    publishToClient: latency.summary(),
  });
  const ticker = setInterval(() => deps.onProgress?.(progress()), PROGRESS_MS);
  try {
    const stats = await source.run((flowId, intendedAtMs) => ledger.sent(flowId, intendedAtMs));
    let cancelGrace = (): void => undefined;
    await Promise.race([
      ledger.untilAllDelivered(),
      new Promise<void>((resolve) => (cancelGrace = clock.after(options.graceMs, resolve))),
    ]);
    cancelGrace();
    const lost = ledger.lost();
    const publishToClient = latency.summary();
    const sent = ledger.sentCount();
    const values: MetricValues = {
      publish_to_client: publishToClient,
      error_to_client: null,
      generator_lateness: stats.lateness,
      delivery: sent === 0 ? null : (sent - lost.length) / sent,
      flows_complete: null,
      lost: lost.length,
    };
    const thresholds = evaluateThresholds(options.thresholds, values);
    return {
      startedAt: new Date(startedAtMs),
      elapsedMs: clock.now() - startedAtMs,
      profile: options.profile.name,
      clients: options.clients,
      sent,
      receivedPerClient: ledger.receivedPerClient(),
      foreign: ledger.foreign(),
      unreadable,
      publishToClient,
      generatorLateness: stats.lateness,
      lost: lost.slice(0, LOST_LISTED).map(({ flowId, clientsReceived }) => ({ flowId, clientsReceived })),
      thresholds,
      verdict: thresholds.every((t) => t.ok) ? 'pass' : 'fail',
    };
  } finally {
    clearInterval(ticker);
    clients.close();
  }
}
