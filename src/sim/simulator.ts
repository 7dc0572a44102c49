import type { PubSubClient } from '../services/pubsub-transport.ts';
import type pg from 'pg';
import { CHANNELS } from '../contract/channels.ts';
import { SPEC_PROFILE, type ConsumerProfile } from '../contract/consumer-profiles.ts';
import { messageShaper } from '../contract/message-shapes.ts';
import type { PatternEvent } from '../contract/schemas/pattern-event.ts';
import type { Clock } from '../shared/clock.ts';
import { afterPrecisely } from '../shared/precise-timer.ts';
import { LatencyHistogram, type LatencySummary } from '../shared/latency-histogram.ts';
import type { Logger } from '../shared/logger.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { startAuxMessages } from './aux-messages.ts';
import { createPatternGenerator, DEFAULT_UNIVERSE, type PatternUniverse } from './pattern-generator.ts';
import { malformedPattern } from './malformed-patterns.ts';
import { publishEventsSettled } from './pattern-publisher.ts';
import { boundedRecorder, RecordTimeout } from './bounded-recorder.ts';
import { integrationRecorder, type ProducerRecorder } from './producer-recorder.ts';
import { startProducerHeartbeat } from './producer-heartbeat.ts';
import { DEFAULT_RECORD_TIMEOUT_MS, DEFAULT_RECORD_WAIT_MS } from './record-timing.ts';
import { createSendQueue, type DueEvent } from './send-queue.ts';
import { schedule, type Scenario } from './scenarios.ts';
import { createSubscriberHold } from './subscriber-hold.ts';
import { createZeroSubscriberWatch } from './zero-subscriber-watch.ts';

export interface SimulatorOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  /** Seed of the flow ids (default: `seed`); a new one per run keeps runs apart in the database. */
  readonly idSeed?: number;
  /** Stop after this many pattern events (undefined: no limit). */
  readonly count: number | undefined;
  /** Stop after this long (undefined: no limit). */
  readonly durationMs: number | undefined;
  readonly heartbeatIntervalMs: number;
  readonly backtestRate: number;
  readonly healthRate: number;
  /** Share (0–1) of pattern messages sent malformed instead (the consumer must reject them). */
  readonly malformedShare: number;
  /**
   * Wait out the last millisecond before a send on a futex (src/shared/precise-timer.ts): it holds the
   * thread, so a process that also serves a consumer (the demo) paces by timers alone.
   */
  readonly precisePacing: boolean;
  readonly universe: PatternUniverse;
  /** The consumer the messages are for: backtest messages go out in the shape it accepts. */
  readonly profile: ConsumerProfile;
  /** How long a batch waits for PATTERN_PUBLISHED to be recorded before it is published anyway. */
  readonly recordWaitMs: number;
  /** After this long a recording is given up on and its events counted as not recorded. */
  readonly recordTimeoutMs: number;
  /** Hold publishing while the patterns channel has no subscriber (late, never dropped). */
  readonly holdWhileUnsubscribed: boolean;
}

export const DEFAULT_SIMULATOR: Omit<SimulatorOptions, 'scenario' | 'seed'> = {
  count: undefined,
  durationMs: undefined,
  heartbeatIntervalMs: 60_000,
  backtestRate: 0,
  healthRate: 0,
  malformedShare: 0,
  precisePacing: true,
  universe: DEFAULT_UNIVERSE,
  profile: SPEC_PROFILE,
  recordWaitMs: DEFAULT_RECORD_WAIT_MS,
  recordTimeoutMs: DEFAULT_RECORD_TIMEOUT_MS,
  holdWhileUnsubscribed: false,
};

export interface SimulatorDeps {
  readonly redis: PubSubClient;
  /** Records with spec 001's log_integration_event() when no recorder is given; undefined: --no-db. */
  readonly db: pg.Pool | undefined;
  /** Where PATTERN_PUBLISHED and PRODUCER_ALIVE go (the tracking sink's choice); overrides `db`. */
  readonly recorder?: ProducerRecorder | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told of each batch just before it is PUBLISHed (a load run's ledger of what was sent). */
  readonly onPublishing?: ((batch: readonly DueEvent[]) => void) | undefined;
}

export interface SimulatorStats {
  readonly sent: number;
  /** Of `sent`, the malformed ones. */
  readonly malformed: number;
  readonly recorded: number;
  /** PATTERN_PUBLISHED not recorded: the database refused, or did not answer in time. */
  readonly dbFailures: number;
  /** Of `dbFailures`, those given up on after `recordTimeoutMs` (the statement may still land later). */
  readonly recordTimeouts: number;
  readonly zeroSubscriberPublishes: number;
  /** PUBLISHes Redis refused or that failed with the connection (not in `sent`). */
  readonly publishFailures: number;
  /** Time spent holding for a subscriber (--hold-while-unsubscribed). */
  readonly heldMs: number;
  readonly lastSubscribers: number | undefined;
  readonly auxSent: number;
  readonly elapsedMs: number;
  /** Publish time minus scheduled time: how far the simulator fell behind its own schedule. */
  readonly lateness: LatencySummary;
}

const MAX_WAIT_MS = 50;
const MIN_CYCLE_MS = 0.25;

/**
 * The producer simulator: seeded events on an open-loop schedule. Each tick hands every event that
 * is due to the send queue: PATTERN_PUBLISHED recorded first (one statement per batch), then PUBLISH,
 * strictly in schedule order; a database slower than `recordWaitMs` is recorded behind the schedule.
 */
export function createSimulator(deps: SimulatorDeps, options: SimulatorOptions) {
  const { clock, logger } = deps;
  const random = seededRandom(options.seed);
  const generator = createPatternGenerator(
    random,
    options.universe,
    options.idSeed === undefined ? random : seededRandom(options.idSeed),
  );
  const watch = createZeroSubscriberWatch(logger, () => clock.now());
  const lateness = new LatencyHistogram();
  const mistakes = seededRandom(options.seed + 3);
  let sent = 0;
  let malformed = 0;
  let recorded = 0;
  let dbFailures = 0;
  let recordTimeouts = 0;
  let publishFailures = 0;
  let lastSubscribers: number | undefined;
  let lastPatternTime: number | null = null;
  let startedAt = 0;
  let stopping = false;
  let wake: (() => void) | undefined;
  let auxSent = (): number => 0;

  const unbounded =
    deps.recorder ??
    (deps.db === undefined ? undefined : integrationRecorder(deps.db, seededRandom(options.seed + 1)));
  const recorder = unbounded && boundedRecorder(unbounded, options.recordTimeoutMs);
  const notRecorded = (events: readonly PatternEvent[], why: string, timedOut: boolean): void => {
    dbFailures += events.length;
    if (timedOut) recordTimeouts += events.length;
    logger.error({ err: why, events: events.length }, 'PATTERN_PUBLISHED not recorded; published anyway');
  };
  const record =
    recorder &&
    ((events: readonly PatternEvent[]): Promise<void> =>
      recorder.published(events).then(
        () => void (recorded += events.length),
        (error: unknown) => notRecorded(events, (error as Error).message, error instanceof RecordTimeout),
      ));
  const hold = options.holdWhileUnsubscribed
    ? createSubscriberHold(deps.redis, CHANNELS.patterns, logger, () => clock.now())
    : undefined;
  const publish = async (batch: readonly DueEvent[]): Promise<void> => {
    if (hold?.held()) await hold.released();
    deps.onPublishing?.(batch);
    const at = clock.now();
    const results = await publishEventsSettled(
      deps.redis,
      batch.map((d) => d.malformed ?? d.event),
    );
    let failed = 0;
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        failed += 1;
        return;
      }
      const due = batch[i]!;
      lateness.record(at - due.scheduledAt);
      watch.observe(CHANNELS.patterns, result.value);
      hold?.observe(result.value);
      lastSubscribers = result.value;
      sent += 1;
      if (due.malformed !== undefined) malformed += 1;
      lastPatternTime = at / 1000;
    });
    if (failed === 0) return;
    publishFailures += failed;
    const reason = results.find((r) => r.status === 'rejected')?.reason as Error;
    logger.error({ err: reason.message, failed }, 'PUBLISH failed: these events were not sent');
  };
  const queue = createSendQueue({ record, publish, recordWaitMs: options.recordWaitMs });

  const countReached = (queued: number): boolean => options.count !== undefined && queued >= options.count;
  const endAt = (): number => (options.durationMs === undefined ? Infinity : startedAt + options.durationMs);

  const pause = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve;
      const wait = Math.min(MAX_WAIT_MS, Math.max(0, ms));
      if (options.precisePacing) afterPrecisely(clock, wait, resolve);
      else setTimeout(resolve, wait);
    });

  async function run(): Promise<SimulatorStats> {
    startedAt = clock.now();
    const heartbeat = startProducerHeartbeat(
      { redis: deps.redis, recorder, clock, logger },
      { patternsDetected: () => sent, lastPatternTime: () => lastPatternTime },
      options.heartbeatIntervalMs,
    );
    const aux = startAuxMessages(
      {
        redis: deps.redis,
        clock,
        random: seededRandom(options.seed + 2),
        shape: messageShaper(options.profile),
        observe: watch.observe,
      },
      { backtest: options.backtestRate, health: options.healthRate },
    );
    auxSent = aux.sent;
    const offsets = schedule(options.scenario);
    let next = offsets.next().value as number;
    let queued = 0;
    try {
      // Every event scheduled inside the duration is sent, however late the loop wakes.
      while (!stopping && !countReached(queued) && startedAt + next < endAt()) {
        const due: DueEvent[] = [];
        const now = clock.now();
        while (startedAt + next <= now && !countReached(queued) && startedAt + next < endAt()) {
          // Stamped with the time it was meant to go out: latencies measured from the timestamp then
          // include the simulator's own lateness (no coordinated omission).
          const scheduledAt = startedAt + next;
          const event = generator.next(scheduledAt / 1000);
          due.push(
            options.malformedShare > 0 && mistakes.next() < options.malformedShare
              ? { event, scheduledAt, malformed: malformedPattern(event, mistakes) }
              : { event, scheduledAt },
          );
          queued += 1;
          next = offsets.next().value as number;
        }
        if (due.length > 0) queue.enqueue(due);
        // At most one wake per MIN_CYCLE_MS: past some 4,000 events/s they go out a few at a time.
        await pause(Math.min(Math.max(startedAt + next, now + MIN_CYCLE_MS), endAt()) - clock.now());
      }
      // A run by duration lasts the whole duration (heartbeats, backtest and health messages go on).
      while (!stopping && options.count === undefined && clock.now() < endAt())
        await pause(endAt() - clock.now());
      await queue.flushed();
      await heartbeat.beat();
    } finally {
      await heartbeat.stop();
      await aux.stop();
    }
    return stats();
  }

  function stats(): SimulatorStats {
    return {
      sent,
      malformed,
      recorded,
      dbFailures,
      recordTimeouts,
      zeroSubscriberPublishes: watch.count(),
      publishFailures,
      heldMs: hold?.heldMs() ?? 0,
      lastSubscribers,
      auxSent: auxSent(),
      elapsedMs: startedAt === 0 ? 0 : clock.now() - startedAt,
      lateness: lateness.summary(),
    };
  }

  return {
    run,
    stats,
    /** Stops scheduling; `run()` resolves once what was scheduled is published. */
    stop(): void {
      stopping = true;
      hold?.stop();
      wake?.();
    },
  };
}

export type Simulator = ReturnType<typeof createSimulator>;
