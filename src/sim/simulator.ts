import type { Redis } from 'ioredis';
import type pg from 'pg';
import { CHANNELS } from '../contract/channels.ts';
import { SPEC_PROFILE, type ConsumerProfile } from '../contract/consumer-profiles.ts';
import { messageShaper } from '../contract/message-shapes.ts';
import type { PatternEvent } from '../contract/schemas/pattern-event.ts';
import type { Clock } from '../shared/clock.ts';
import { LatencyHistogram, type LatencySummary } from '../shared/latency-histogram.ts';
import type { Logger } from '../shared/logger.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { startAuxMessages } from './aux-messages.ts';
import { createPatternGenerator, DEFAULT_UNIVERSE, type PatternUniverse } from './pattern-generator.ts';
import { malformedPattern } from './malformed-patterns.ts';
import { publishEvents } from './pattern-publisher.ts';
import { integrationRecorder, type ProducerRecorder } from './producer-recorder.ts';
import { startProducerHeartbeat } from './producer-heartbeat.ts';
import { createSendQueue, type DueEvent } from './send-queue.ts';
import { schedule, type Scenario } from './scenarios.ts';
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
  readonly universe: PatternUniverse;
  /** The consumer the messages are for: backtest messages go out in the shape it accepts. */
  readonly profile: ConsumerProfile;
}

export const DEFAULT_SIMULATOR: Omit<SimulatorOptions, 'scenario' | 'seed'> = {
  count: undefined,
  durationMs: undefined,
  heartbeatIntervalMs: 60_000,
  backtestRate: 0,
  healthRate: 0,
  malformedShare: 0,
  universe: DEFAULT_UNIVERSE,
  profile: SPEC_PROFILE,
};

export interface SimulatorDeps {
  readonly redis: Redis;
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
  readonly dbFailures: number;
  readonly zeroSubscriberPublishes: number;
  readonly lastSubscribers: number | undefined;
  readonly auxSent: number;
  readonly elapsedMs: number;
  /** Publish time minus scheduled time: how far the simulator fell behind its own schedule. */
  readonly lateness: LatencySummary;
}

const MAX_WAIT_MS = 50;

/**
 * The producer simulator: seeded events on an open-loop schedule. Each tick hands every event that
 * is due to the send queue: PATTERN_PUBLISHED recorded first (one statement per batch), then PUBLISH,
 * strictly in schedule order.
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
  let lastSubscribers: number | undefined;
  let lastPatternTime: number | null = null;
  let startedAt = 0;
  let stopping = false;
  let wake: (() => void) | undefined;
  let auxSent = (): number => 0;

  const recorder =
    deps.recorder ??
    (deps.db === undefined ? undefined : integrationRecorder(deps.db, seededRandom(options.seed + 1)));
  const record =
    recorder &&
    ((events: readonly PatternEvent[]): Promise<void> =>
      recorder.published(events).then(
        () => void (recorded += events.length),
        (error: unknown) => {
          dbFailures += events.length;
          logger.error(
            { err: (error as Error).message },
            'PATTERN_PUBLISHED not recorded; publishing anyway (spec 001)',
          );
        },
      ));
  const publish = async (batch: readonly DueEvent[]): Promise<void> => {
    deps.onPublishing?.(batch);
    const at = clock.now();
    const receivers = await publishEvents(
      deps.redis,
      batch.map((d) => d.malformed ?? d.event),
    ).catch((error: unknown) => {
      logger.error({ err: (error as Error).message }, 'PUBLISH failed');
      return [];
    });
    receivers.forEach((r, i) => {
      lateness.record(at - batch[i]!.scheduledAt);
      watch.observe(CHANNELS.patterns, r);
      lastSubscribers = r;
    });
    sent += receivers.length;
    if (receivers.length > 0) malformed += batch.filter((d) => d.malformed !== undefined).length;
    if (receivers.length > 0) lastPatternTime = at / 1000;
  };
  const queue = createSendQueue({ record, publish });

  const countReached = (queued: number): boolean => options.count !== undefined && queued >= options.count;
  const endAt = (): number => (options.durationMs === undefined ? Infinity : startedAt + options.durationMs);

  const pause = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, Math.min(MAX_WAIT_MS, Math.max(0, ms)));
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
        await pause(Math.min(startedAt + next, endAt()) - clock.now());
      }
      // A run by duration lasts the whole duration (heartbeats, backtest and health messages go on).
      while (!stopping && options.count === undefined && clock.now() < endAt())
        await pause(endAt() - clock.now());
      await queue.flushed();
      await heartbeat.beat();
    } finally {
      await heartbeat.stop();
      aux.stop();
    }
    return stats();
  }

  function stats(): SimulatorStats {
    return {
      sent,
      malformed,
      recorded,
      dbFailures,
      zeroSubscriberPublishes: watch.count(),
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
      wake?.();
    },
  };
}

export type Simulator = ReturnType<typeof createSimulator>;
