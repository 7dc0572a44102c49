import type { ConsumerProfile } from '../contract/consumer-profiles.ts';
import type { TimerClock } from '../shared/clock.ts';
import type { LatencySummary } from '../shared/latency-histogram.ts';
import { readCheckpointLedger, type CheckpointSummary, type ReadCheckpoints } from './checkpoint-ledger.ts';
import { startClientWorkers, type MergedClients, type SpawnWorker } from './clients/client-workers.ts';
import {
  createErrorLedger,
  type ErrorLedger,
  type ReadStoredErrors,
  type SentError,
} from './error-ledger.ts';
import type { SocketTargetOptions } from './clients/socket-clients.ts';
import type { ErrorPages, PagesOutcome } from './browsers/error-pages.ts';
import { latencyOver, type MetricValues } from './metrics.ts';
import { LATENCY_BOUNDS_MS, latencyBuckets, type LatencyBucket } from './latency-buckets.ts';
import { runTimeline, type TimelineSecond } from './run-timeline.ts';
import { faultOutcomes, type FaultOutcome } from './fault-outcome.ts';
import { startFaults, type FaultWindow, type InjectFault } from './fault-runner.ts';
import type { ScheduledFault } from './fault-schedule.ts';
import { evaluateThresholds, type Threshold, type ThresholdResult } from './thresholds.ts';

/** What generates the load: told of each flow as it goes out, it resolves when it has sent all. */
export interface LoadSource {
  /**
   * `onError`: told of each error message just before it is published; `onUnheard`: of each one its
   * PUBLISH reached no subscriber (pub-sub is at most once: no consumer could have taken it).
   */
  run(
    onSent: (flowId: string, intendedAtMs: number) => void,
    onError?: (error: SentError) => void,
    onUnheard?: (errorId: string) => void,
  ): Promise<LoadSourceStats>;
  /** Stops sending (Ctrl+C); `run` then resolves with what was sent. */
  stop(): void;
}

export interface LoadSourceStats {
  readonly sent: number;
  /** How late the generator sent each message against its own schedule. */
  readonly lateness: LatencySummary;
  /** Pattern messages sent malformed (not flows: the consumer must reject them). */
  readonly malformed: number;
  /** Backtest and health messages. */
  readonly aux: number;
  /** Error messages on tickstock:errors. */
  readonly errors: number;
  /** How late the error generator was against its own schedule; null: it sent none. */
  readonly errorLateness: LatencySummary | null;
}

export interface RunOptions {
  readonly target: SocketTargetOptions;
  readonly profile: ConsumerProfile;
  readonly clients: number;
  /** Worker processes the clients are spread over. */
  readonly workers: number;
  /** After the last send, how long the clients may take to receive what is missing. */
  readonly graceMs: number;
  /** How long the warm-up source runs (0: none). */
  readonly warmupMs: number;
  readonly thresholds: readonly Threshold[];
  /** The source sends errors: clients listen where the profile says errors arrive. */
  readonly sendsErrors: boolean;
  /** This machine's floor, measured before (--floor): `over_floor` is judged against it. */
  readonly floor?: LatencySummary | undefined;
}

/** What became of the errors a run sent (spec 004's routing: shown from warning up, stored from error up). */
export interface ErrorOutcome {
  readonly sent: number;
  readonly lateness: LatencySummary | null;
  /** Errors every client should have been shown; null: this consumer shows none (its profile). */
  readonly toShow: number | null;
  readonly errorToClient: LatencySummary;
  /** `unheard`: its PUBLISH reached no subscriber. */
  readonly notShown: readonly {
    readonly errorId: string;
    readonly severity: string;
    readonly clientsReceived: number;
    readonly unheard: boolean;
  }[];
  /** Errors it should have stored; null: the profile names no store, or no PostgreSQL. */
  readonly toStore: number | null;
  readonly notStored: readonly {
    readonly errorId: string;
    readonly severity: string;
    readonly unheard: boolean;
  }[];
  /** Errors whose PUBLISH reached no subscriber, in the order sent: lost to pub-sub, not to a consumer. */
  readonly unheard: readonly string[];
}

/** What the live progress line shows, once a second. */
export interface RunProgress {
  readonly phase: 'warm-up' | 'load';
  readonly elapsedMs: number;
  readonly sent: number;
  /** The fewest flows any client has received. */
  readonly receivedMin: number;
  /** Flows sent per second since the previous report. */
  readonly sendRate: number;
  /** publish→client latency of the measured load so far (the workers report it once a second). */
  readonly publishToClient: Pick<LatencySummary, 'count' | 'p50' | 'p99'>;
  /**
   * Sent but not yet at every client (sent − the fewest received). Not loss: a flow is lost only once
   * the grace period after the last send ends, which is not knowable before.
   */
  readonly missing: number;
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
  /** The measured load second by second (intended send time). */
  readonly timeline: readonly TimelineSecond[];
  /** publish→client as a histogram: log-spaced buckets, the first to the last non-empty one. */
  readonly publishToClientBuckets: readonly LatencyBucket[];
  readonly generatorLateness: LatencySummary;
  /** What the source sent beside the measured flows. */
  readonly otherSent: Pick<LoadSourceStats, 'malformed' | 'aux' | 'errors'>;
  /** The warm-up before the measured load, timed apart and never judged; null without one. */
  readonly warmup: {
    readonly seconds: number;
    readonly sent: number;
    readonly publishToClient: LatencySummary;
  } | null;
  readonly lost: readonly {
    readonly flowId: string;
    readonly clientsReceived: number;
    /** The last checkpoint it reached; undefined: checkpoints not read. */
    readonly lastCheckpoint?: string | null;
  }[];
  /** The flows' checkpoints; 'none-recorded': the profile's consumer writes none; null: not read. */
  readonly checkpoints: CheckpointSummary | 'none-recorded' | null;
  /** What became of the errors sent; null: the run sent none. */
  readonly errors: ErrorOutcome | null;
  /** What the pages of the consumer's UI rendered (--browsers); null: no pages. */
  readonly browsers: (PagesOutcome & { readonly pages: number; readonly toRender: number }) | null;
  /** Each scheduled fault's section; empty: none scheduled. */
  readonly faults: readonly FaultOutcome[];
  readonly thresholds: readonly ThresholdResult[];
  readonly verdict: 'pass' | 'fail';
}

const PROGRESS_MS = 1000;
const LOST_LISTED = 1000;

/**
 * One load run: clients connect first, in their worker processes (a consumer that refuses them stops
 * the run before any load), the source sends, the clients get `graceMs` after the last send to receive
 * what is missing, then the thresholds are judged. Latency runs from each flow's intended send time.
 */
export async function runLoad(
  deps: {
    readonly source: LoadSource;
    /** Load at the same rate before the measured window (cold processes lag for their first second). */
    readonly warmup?: LoadSource | undefined;
    readonly clock: TimerClock;
    readonly spawnWorker: SpawnWorker;
    /** Once every client is connected, before the first send. */
    readonly onStart?: () => void;
    readonly onProgress?: (p: RunProgress) => void;
    /** Where the flows' checkpoints are read back (PostgreSQL given); undefined: not judged. */
    readonly readCheckpoints?: ReadCheckpoints | undefined;
    /** Where stored errors are looked up (PostgreSQL given, the profile names a store). */
    readonly readStoredErrors?: ReadStoredErrors | undefined;
    /** Opens the pages of the consumer's UI (--browsers), live before the first send. */
    readonly openPages?: (() => Promise<ErrorPages>) | undefined;
    /** Faults during the measured load; `clients:drop` the run does itself, the rest `inject` does. */
    readonly faults?:
      | {
          readonly schedule: readonly ScheduledFault[];
          readonly inject: InjectFault;
          readonly onChange?: (w: FaultWindow) => void;
        }
      | undefined;
  },
  options: RunOptions,
): Promise<RunResult> {
  const { clock, source } = deps;
  const errors = createErrorLedger(options.profile);
  const workers = await startClientWorkers(deps.spawnWorker, {
    ...options,
    errors: options.sendsErrors && options.profile.errors !== null,
  });
  let pages: ErrorPages | undefined;
  try {
    pages = await deps.openPages?.();
    deps.onStart?.();
    let phase: RunProgress['phase'] = 'warm-up';
    let phaseStartedAtMs = clock.now();
    const sentOrder: string[] = [];
    const sentAt: number[] = [];
    let warmupSent = 0;
    const { faults } = deps;
    let faultRun: ReturnType<typeof startFaults> | undefined;
    let windows: readonly FaultWindow[] = [];
    let before = { atMs: clock.now(), sent: 0 };
    const ticker = setInterval(() => {
      if (deps.onProgress === undefined) return;
      const sent = phase === 'load' ? sentOrder.length : warmupSent;
      const receivedMin = workers.receivedMin();
      const atMs = clock.now();
      const sentSince = Math.max(0, sent - before.sent); // the warm-up's count gives way to the load's
      deps.onProgress({
        phase,
        elapsedMs: atMs - phaseStartedAtMs,
        sent,
        receivedMin,
        sendRate: atMs > before.atMs ? (sentSince * 1000) / (atMs - before.atMs) : 0,
        publishToClient: workers.latencySoFar(),
        missing: Math.max(0, sent - receivedMin),
      });
      before = { atMs, sent };
    }, PROGRESS_MS);
    let stats: LoadSourceStats;
    let startedAtMs: number;
    try {
      await deps.warmup?.run(
        inBatches(
          (flows) => workers.sent(flows, true),
          () => (warmupSent += 1),
        ),
      );
      phase = 'load';
      startedAtMs = phaseStartedAtMs = clock.now();
      faultRun =
        faults === undefined || faults.schedule.length === 0
          ? undefined
          : startFaults(
              {
                clock,
                onChange: faults.onChange,
                inject: (f) => (f.kind === 'clients:drop' ? workers.drop(f.share ?? 0) : faults.inject(f)),
              },
              faults.schedule,
            );
      stats = await source.run(
        inBatches(
          (flows) => workers.sent(flows),
          (flowId, intendedAtMs) => {
            sentOrder.push(flowId);
            sentAt.push(intendedAtMs);
          },
        ),
        errors.sent,
        errors.unheard,
      );
      // Faults not yet started when the load ended never run; those under way end before the grace.
      faultRun?.stopScheduling();
      windows = (await faultRun?.finish()) ?? [];
      let cancelGrace = (): void => undefined;
      const renderIds = errors.toRender().map((e) => e.errorId);
      await Promise.race([
        Promise.all([workers.untilAllDelivered(), pages?.untilRendered(renderIds)]),
        new Promise<void>((resolve) => (cancelGrace = clock.after(options.graceMs, resolve))),
      ]);
      cancelGrace();
    } finally {
      clearInterval(ticker);
      faultRun?.stopScheduling();
    }
    const toShow = errors.toShow();
    const merged = await workers.finish(
      toShow,
      windows.map((w) => w.endedAtMs ?? Number.MAX_SAFE_INTEGER),
      LATENCY_BOUNDS_MS,
    );
    const toRender = errors.toRender();
    const rendered = pages === undefined ? null : await pages.finish(toRender);
    await pages?.close();
    const browsers =
      rendered === null ? null : { ...rendered, pages: rendered.perPage.length, toRender: toRender.length };
    const errorOutcome =
      errors.count() === 0
        ? null
        : await judgeErrors(
            errors,
            toShow,
            merged,
            stats.errorLateness,
            deps.readStoredErrors,
            options,
            clock,
          );
    // Every error not shown to every client or not stored, each once.
    const errorsLost =
      errorOutcome === null || (errorOutcome.toShow === null && errorOutcome.toStore === null)
        ? null
        : new Set([...errorOutcome.notShown, ...errorOutcome.notStored].map((e) => e.errorId));
    const lost = sentOrder.filter((id) => merged.lost.has(id));
    const sent = sentOrder.length;
    const checkpoints =
      deps.readCheckpoints === undefined
        ? null
        : await settledLedger(deps.readCheckpoints, sentOrder, options.profile.checkpoints, clock);
    const ledger = checkpoints === null || checkpoints === 'none-recorded' ? undefined : checkpoints;
    const values: MetricValues = {
      publish_to_client: merged.publishToClient,
      over_floor:
        options.floor === undefined || merged.publishToClient.count === 0
          ? null
          : latencyOver(merged.publishToClient, options.floor),
      error_to_client: errorOutcome?.toShow ? errorOutcome.errorToClient : null,
      generator_lateness: stats.lateness,
      delivery: sent === 0 ? null : (sent - lost.length) / sent,
      flows_complete: ledger === undefined || sent === 0 ? null : ledger.complete / sent,
      lost: lost.length,
      errors_lost: errorsLost === null ? null : errorsLost.size,
      errors_lost_after_receipt:
        errorsLost === null ? null : [...errorsLost].filter((id) => !errors.wasUnheard(id)).length,
      error_to_page: browsers === null || browsers.toRender === 0 ? null : browsers.errorToPage,
      errors_not_rendered: browsers === null ? null : browsers.notRendered.length,
      page_errors:
        browsers === null ? null : browsers.perPage.reduce((n, p) => n + p.consoleErrors + p.pageErrors, 0),
    };
    const faultSections = faultOutcomes(windows, {
      loadStartMs: startedAtMs,
      flows: sentOrder.map((id, i) => [id, sentAt[i]!] as const),
      lost: new Set(lost),
      errors: errors.all().map((e) => [e.errorId, e.intendedAtMs] as const),
      errorsLost: errorsLost ?? new Set(),
      errorsUnheard: new Set(errorOutcome?.unheard ?? []),
      firstReceiptAfterEnd: merged.firstReceiptSince,
    });
    const thresholds = evaluateThresholds(options.thresholds, {
      ...values,
      faults: Object.fromEntries(faultSections.map((f) => [f.label, { recovery: f.recovery, lost: f.lost }])),
    });
    return {
      startedAt: new Date(startedAtMs),
      elapsedMs: clock.now() - startedAtMs,
      profile: options.profile.name,
      clients: options.clients,
      sent,
      receivedPerClient: merged.receivedPerClient,
      foreign: merged.foreign,
      unreadable: merged.unreadable,
      publishToClient: merged.publishToClient,
      timeline: runTimeline(
        sentOrder.map((id, i) => ({ intendedAtMs: sentAt[i]!, lost: merged.lost.has(id) })),
        merged.latencyBySecond,
      ),
      publishToClientBuckets: latencyBuckets(merged.histogramCounts),
      generatorLateness: stats.lateness,
      otherSent: { malformed: stats.malformed, aux: stats.aux, errors: stats.errors },
      warmup:
        deps.warmup === undefined
          ? null
          : { seconds: options.warmupMs / 1000, sent: warmupSent, publishToClient: merged.warmup },
      lost: lost.slice(0, LOST_LISTED).map((flowId) => ({
        flowId,
        clientsReceived: merged.lost.get(flowId)!,
        ...(ledger === undefined ? {} : { lastCheckpoint: ledger.incomplete.get(flowId) ?? null }),
      })),
      checkpoints,
      errors: errorOutcome,
      browsers,
      faults: faultSections,
      thresholds,
      verdict: thresholds.every((t) => t.ok) ? 'pass' : 'fail',
    };
  } finally {
    workers.close();
    await pages?.close();
  }
}

const SETTLE_TRIES = 6;
const SETTLE_PAUSE_MS = 500;

/**
 * A read once the consumer's writers have caught up: read again while something is missing and less is
 * missing each time (bounded: about 3 s).
 */
async function settled<T>(read: () => Promise<T>, missing: (t: T) => number, clock: TimerClock): Promise<T> {
  let last = await read();
  for (let i = 1; i < SETTLE_TRIES && missing(last) > 0; i += 1) {
    await new Promise<void>((resolve) => clock.after(SETTLE_PAUSE_MS, resolve));
    const next = await read();
    if (missing(next) >= missing(last)) return next;
    last = next;
  }
  return last;
}

const settledLedger = (
  read: ReadCheckpoints,
  flowIds: readonly string[],
  consumerCheckpoints: readonly string[],
  clock: TimerClock,
): Promise<CheckpointSummary | 'none-recorded'> =>
  settled(
    () => readCheckpointLedger(read, flowIds, consumerCheckpoints),
    (l) => (l === 'none-recorded' ? 0 : l.incomplete.size),
    clock,
  );

/** Errors shown (from the clients) and stored (from the consumer's store), against the ledger. */
async function judgeErrors(
  ledger: ErrorLedger,
  toShow: readonly (readonly [string, number])[],
  merged: MergedClients,
  lateness: LatencySummary | null,
  readStored: ReadStoredErrors | undefined,
  options: RunOptions,
  clock: TimerClock,
): Promise<ErrorOutcome> {
  const toStore = ledger.toStore();
  const stored =
    readStored === undefined || toStore.length === 0
      ? undefined
      : await settled(
          () => readStored(toStore.map((e) => e.errorId)),
          (found) => toStore.length - found.size,
          clock,
        );
  const shows = options.profile.errors !== null;
  return {
    sent: ledger.count(),
    lateness,
    toShow: shows ? toShow.length : null,
    errorToClient: merged.errorToClient,
    notShown: [...merged.errorsLost].map(([errorId, clientsReceived]) => ({
      errorId,
      severity: ledger.severityOf(errorId) ?? 'unknown',
      clientsReceived,
      unheard: ledger.wasUnheard(errorId),
    })),
    toStore: stored === undefined ? null : toStore.length,
    notStored:
      stored === undefined
        ? []
        : toStore
            .filter((e) => !stored.has(e.errorId))
            .map((e) => ({
              errorId: e.errorId,
              severity: e.severity,
              unheard: ledger.wasUnheard(e.errorId),
            })),
    unheard: ledger.allUnheard(),
  };
}

/**
 * A source's `onSent` that tells the workers once per batch the source sends at once (the flows of
 * one tick), not once per flow; `each` sees every flow as it goes.
 */
function inBatches(
  send: (flows: [string, number][]) => void,
  each: (flowId: string, intendedAtMs: number) => void,
): (flowId: string, intendedAtMs: number) => void {
  let pending: [string, number][] = [];
  const flush = (): void => {
    send(pending);
    pending = [];
  };
  return (flowId, intendedAtMs) => {
    each(flowId, intendedAtMs);
    if (pending.push([flowId, intendedAtMs]) === 1) queueMicrotask(flush);
  };
}
