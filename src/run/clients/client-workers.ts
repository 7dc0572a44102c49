import type { ChildProcess } from 'node:child_process';
import type { ConsumerProfile } from '../../contract/consumer-profiles.ts';
import { ServiceError } from '../../services/service-error.ts';
import { HarnessError } from '../../errors/harness-error.ts';
import { ExitCode } from '../../errors/exit-codes.ts';
import { LatencyHistogram, type LatencySummary } from '../../shared/latency-histogram.ts';
import type { SocketTargetOptions } from './socket-clients.ts';
import { mergeLatencyBySecond } from './latency-by-second.ts';
import type { FromWorker, WorkerResult } from './worker-messages.ts';

/** Worker i's consumer: the target's, or in a group, the group's members in turn. */
function workerTarget(target: SocketTargetOptions, i: number): SocketTargetOptions {
  const { group } = target;
  return group === undefined || group.length === 0 ? target : { ...target, url: group[i % group.length]! };
}

/** Starts one clients worker process (the CLI forks itself: `tickstock __clients-worker`). */
export type SpawnWorker = () => ChildProcess;

export interface MergedClients {
  readonly publishToClient: LatencySummary;
  /** publish→client latency per second of intended send time (from the first measured flow). */
  readonly latencyBySecond: ReadonlyMap<number, LatencySummary>;
  /** How many receipts fall under each of `histogramBoundsMs` (and at or above the bound before it). */
  readonly histogramCounts: readonly number[];
  readonly warmup: LatencySummary;
  readonly receivedPerClient: readonly number[];
  /** Flows some client never received, with how many clients did. */
  readonly lost: ReadonlyMap<string, number>;
  readonly foreign: number;
  readonly unreadable: number;
  readonly errorToClient: LatencySummary;
  /** Errors to be shown that some client never got, with how many clients did. */
  readonly errorsLost: ReadonlyMap<string, number>;
  /** Per instant asked for: the first receipt by any client of a flow sent at or after it; null: none. */
  readonly firstReceiptSince: readonly (number | null)[];
}

/** `clients` as even as possible over `workers` (none empty). */
export function split(clients: number, workers: number): number[] {
  const n = Math.max(1, Math.min(workers, clients));
  return Array.from({ length: n }, (_, i) => Math.floor(clients / n) + (i < clients % n ? 1 : 0));
}

function failure(m: Extract<FromWorker, { type: 'failed' }>): HarnessError {
  return m.code.startsWith('SERVICES_')
    ? new ServiceError('SERVICES_UNREACHABLE', m.message, m.hint)
    : new HarnessError(m.code, m.message, m.hint, { exitCode: ExitCode.problems });
}

const crashed = (code: number | null, signal: string | null) =>
  new HarnessError(
    'RUN_WORKER_DIED',
    `a clients worker ended (${signal ?? `exit ${String(code)}`}) before the run did`,
    'Its output is above; run again with fewer --clients per --workers if it ran out of memory.',
    { exitCode: ExitCode.problems },
  );

/**
 * The run's Socket.IO clients spread over worker processes. Each worker learns every flow as it is
 * sent and keeps its own ledger; at the end their histograms are merged (HDR counts, not averaged
 * percentiles) and their ledgers joined into one loss list.
 */
export async function startClientWorkers(
  spawn: SpawnWorker,
  options: {
    readonly target: SocketTargetOptions;
    readonly profile: ConsumerProfile;
    readonly clients: number;
    readonly workers: number;
    /** Listen for errors too (the run sends some and the profile says where they arrive). */
    readonly errors: boolean;
  },
) {
  const sizes = split(options.clients, options.workers);
  const children = sizes.map(() => spawn());
  const state = sizes.map(() => ({ known: 0, delivered: false, receivedMin: 0 }));
  // Each worker's latest latency so far (encoded), merged only when the progress line asks.
  const latencySoFar: (string | undefined)[] = sizes.map(() => undefined);
  let sent = 0;
  let onChange: (() => void) | undefined;
  let died: HarnessError | undefined;
  const exits = children.map(
    (child) =>
      new Promise<never>((_, reject) =>
        child.once('exit', (code, signal) => reject((died ??= crashed(code, signal)))),
      ),
  );
  for (const exit of exits) void exit.catch(() => onChange?.());
  children.forEach((child, i) =>
    child.on('message', (m: FromWorker) => {
      if (m.type === 'progress') {
        state[i] = { known: m.known, delivered: m.delivered, receivedMin: m.receivedMin };
        if (m.latency !== undefined) latencySoFar[i] = m.latency;
        onChange?.();
      }
    }),
  );
  const next = <T extends FromWorker['type']>(child: ChildProcess, type: T, index: number) =>
    Promise.race([
      new Promise<Extract<FromWorker, { type: T | 'failed' }>>((resolve) => {
        const listen = (m: FromWorker): void => {
          if (m.type !== type && m.type !== 'failed') return;
          child.off('message', listen);
          resolve(m as Extract<FromWorker, { type: T | 'failed' }>);
        };
        child.on('message', listen);
      }),
      exits[index]!,
    ]);
  const stopAll = (): void => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));

  try {
    children.forEach((child, i) =>
      child.send({
        type: 'start',
        config: {
          target: workerTarget(options.target, i),
          profile: options.profile,
          clients: sizes[i]!,
          errors: options.errors,
        },
      }),
    );
    const ready = await Promise.all(children.map((child, i) => next(child, 'ready', i)));
    const failed = ready.find((m) => m.type === 'failed');
    if (failed !== undefined && failed.type === 'failed') throw failure(failed);
  } catch (error) {
    stopAll();
    throw error;
  }

  return {
    /** Tells every worker of flows just sent (warm-up ones are timed apart and never awaited). */
    sent(flows: readonly (readonly [string, number])[], warmup = false): void {
      if (!warmup) sent += flows.length;
      children.forEach((child) => child.connected && child.send({ type: 'sent', flows, warmup }));
    },
    receivedMin: (): number => Math.min(...state.map((s) => s.receivedMin)),
    /** publish→client latency so far, merged from the workers' last reports (up to a second old). */
    latencySoFar(): LatencySummary {
      const merged = new LatencyHistogram({ digits: 2 });
      latencySoFar.forEach((encoded) => encoded !== undefined && merged.addEncoded(encoded));
      return merged.summary();
    },
    /** Resolves once every worker reports every flow sent so far delivered to all its clients. */
    untilAllDelivered(): Promise<void> {
      return new Promise((resolve, reject) => {
        onChange = () => {
          if (died !== undefined) return reject(died);
          if (state.every((s) => s.known === sent && s.delivered)) resolve();
        };
        onChange();
      });
    },
    /** A fault: drops this share of every worker's clients; resolves once they have reconnected. */
    async drop(share: number): Promise<void> {
      await Promise.all(
        children.map((child, i) => {
          const dropped = next(child, 'dropped', i);
          child.send({ type: 'drop', share });
          return dropped;
        }),
      );
    },
    /**
     * Stops the clients and merges what every worker measured; `errors`: those every client should have
     * seen; `since`: instants for which to find the first receipt of a flow sent at or after each.
     */
    async finish(
      errors: readonly (readonly [string, number])[] = [],
      since: readonly number[] = [],
      histogramBoundsMs: readonly number[] = [],
    ): Promise<MergedClients> {
      const results = await Promise.all(
        children.map((child, i) => {
          const result = next(child, 'result', i);
          child.send({ type: 'finish', errors, since });
          return result;
        }),
      );
      const histogram = new LatencyHistogram();
      const warmupHistogram = new LatencyHistogram();
      const errorHistogram = new LatencyHistogram();
      const merged: WorkerResult[] = results.map((m) => {
        if (m.type === 'failed') throw failure(m);
        return m.result;
      });
      merged.forEach((r) => {
        histogram.addEncoded(r.histogram);
        warmupHistogram.addEncoded(r.warmupHistogram);
        errorHistogram.addEncoded(r.errorHistogram);
      });
      return {
        errorToClient: errorHistogram.summary(),
        errorsLost: joinLost(
          merged.map((r) => r.errorsLost),
          sizes,
        ),
        lost: joinLost(
          merged.map((r) => r.lost),
          sizes,
        ),
        publishToClient: histogram.summary(),
        latencyBySecond: mergeLatencyBySecond(merged.map((r) => r.latencyBySecond)),
        histogramCounts: histogram.countsBelow(histogramBoundsMs),
        warmup: warmupHistogram.summary(),
        receivedPerClient: merged.flatMap((r) => r.receivedPerClient),
        foreign: merged.reduce((n, r) => n + r.foreign, 0),
        unreadable: merged.reduce((n, r) => n + r.unreadable, 0),
        firstReceiptSince: since.map((_, i) => earliest(merged.map((r) => r.firstReceiptSince[i] ?? null))),
      };
    },
    close: stopAll,
  };
}

/**
 * What some worker's clients lacked, joined: an item lost in one worker's clients was had by the other
 * workers' clients (`sizes[w]` of them), unless they lost it too. The value: how many clients in all had it.
 */
function joinLost(
  perWorker: readonly (readonly (readonly [string, number])[])[],
  sizes: readonly number[],
): Map<string, number> {
  const lostIn = perWorker.map((l) => new Map(l));
  const lost = new Map<string, number>();
  for (const l of perWorker)
    for (const [id] of l)
      if (!lost.has(id))
        lost.set(
          id,
          lostIn.reduce((n, m, w) => n + (m.get(id) ?? sizes[w]!), 0),
        );
  return lost;
}

export type ClientWorkers = Awaited<ReturnType<typeof startClientWorkers>>;

const earliest = (times: readonly (number | null)[]): number | null =>
  times.reduce<number | null>((a, t) => (t === null ? a : a === null ? t : Math.min(a, t)), null);
