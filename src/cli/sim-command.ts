import { Redis } from 'ioredis';
import type { HarnessConfig } from '../config/load-config.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { createPool } from '../db/pools.ts';
import { systemClock } from '../shared/clock.ts';
import { formatMs } from '../shared/latency-histogram.ts';
import { createCliLogger } from '../shared/logger.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { publishOnce } from '../sim/publish-once.ts';
import { recorderFor } from '../sim/producer-recorder.ts';
import { CATEGORIES, type Category } from '../contract/schemas/error-message.ts';
import { parseSeverityWeights } from '../sim/error-generator.ts';
import { runErrorSimulation } from '../sim/error-simulator.ts';
import { DEFAULT_SCENARIO, SCENARIO_KINDS, type ScenarioKind } from '../sim/scenarios.ts';
import { createSimulator, DEFAULT_SIMULATOR, type SimulatorStats } from '../sim/simulator.ts';
import { requireUrl } from './cli-urls.ts';
import { untilStopSignal } from './signals.ts';
import { createStatusLine } from './status-line.ts';

export interface SimFlags {
  readonly redisUrl?: string;
  readonly databaseUrl?: string;
  readonly db: boolean;
  readonly rate: string;
  readonly scenario: string;
  readonly count?: string;
  readonly duration?: string;
  readonly seed?: string;
  readonly rampFrom: string;
  readonly rampSeconds: string;
  readonly burstRate: string;
  readonly burstSeconds: string;
  readonly burstEvery: string;
  readonly heartbeat: string;
  readonly backtestRate: string;
  readonly healthRate: string;
}

function positive(name: string, value: string | undefined, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (Number.isFinite(n) && (allowZero ? n >= 0 : n > 0)) return n;
  throw new HarnessError(
    'CLI_BAD_OPTION',
    `--${name} ${value} is not a ${allowZero ? 'non-negative' : 'positive'} number.`,
    `Give --${name} a number, e.g. --${name} 10.`,
  );
}

/**
 * Redis, and a pool when the simulator records (not --no-db, tracking on); the recorder follows
 * TRACKING_SINK so that producer and consumer checkpoints land in the same place.
 */
function connections(
  config: HarnessConfig,
  flags: Pick<SimFlags, 'redisUrl' | 'databaseUrl' | 'db'>,
  seed: number,
) {
  const logger = createCliLogger(config.logLevel);
  const redis = new Redis(requireUrl(flags.redisUrl, config.services.redisUrl, 'REDIS_URL', '--redis-url'), {
    enableAutoPipelining: true,
  });
  const records = flags.db && config.tracking.enabled;
  const db = records
    ? createPool(
        requireUrl(flags.databaseUrl, config.services.postgresUrl, 'DATABASE_URL', '--database-url'),
        { max: 4, asyncCommit: true, applicationName: 'tickstock-sim' },
        logger,
      )
    : undefined;
  const recorder =
    db === undefined ? undefined : recorderFor(config.tracking.sink, db, seededRandom(seed + 1));
  return {
    logger,
    redis,
    db,
    recorder,
    close: async () => {
      redis.disconnect();
      await db?.end();
    },
  };
}

export function printSimSummary(stats: SimulatorStats, write: (line: string) => void = console.log): void {
  const seconds = stats.elapsedMs / 1000;
  write(
    `sent ${stats.sent} pattern events in ${seconds.toFixed(1)} s (${(stats.sent / Math.max(seconds, 0.001)).toFixed(1)}/s), ${stats.auxSent} backtest/health messages`,
  );
  write(
    `recorded PATTERN_PUBLISHED: ${stats.recorded}${stats.dbFailures > 0 ? `, NOT recorded (database errors): ${stats.dbFailures}` : ''}`,
  );
  write(
    `lateness vs schedule: p50 ${formatMs(stats.lateness.p50)}, p99 ${formatMs(stats.lateness.p99)}, max ${formatMs(stats.lateness.max)}`,
  );
  if (stats.zeroSubscriberPublishes > 0)
    write(`WARNING: ${stats.zeroSubscriberPublishes} publishes reached 0 subscribers (lost)`);
}

/** `tickstock sim`: the producer simulator against any Redis/PostgreSQL, staging included. */
export async function simCommand(config: HarnessConfig, flags: SimFlags): Promise<void> {
  if (!(SCENARIO_KINDS as readonly string[]).includes(flags.scenario))
    throw new HarnessError(
      'CLI_BAD_OPTION',
      `--scenario ${flags.scenario} is not known.`,
      `Use one of ${SCENARIO_KINDS.join(', ')}.`,
    );
  const seed = positive('seed', flags.seed, true) ?? Math.floor(Date.now() % 2 ** 31);
  const durationS = positive('duration', flags.duration);
  const { logger, redis, db, recorder, close } = connections(config, flags, seed);
  const sim = createSimulator(
    { redis, db, recorder, clock: systemClock, logger },
    {
      ...DEFAULT_SIMULATOR,
      seed,
      count: positive('count', flags.count),
      durationMs: durationS === undefined ? undefined : durationS * 1000,
      heartbeatIntervalMs: positive('heartbeat', flags.heartbeat)! * 1000,
      backtestRate: positive('backtest-rate', flags.backtestRate, true)!,
      healthRate: positive('health-rate', flags.healthRate, true)!,
      scenario: {
        ...DEFAULT_SCENARIO,
        kind: flags.scenario as ScenarioKind,
        rate: positive('rate', flags.rate)!,
        rampFrom: positive('ramp-from', flags.rampFrom)!,
        rampSeconds: positive('ramp-seconds', flags.rampSeconds)!,
        burstRate: positive('burst-rate', flags.burstRate)!,
        burstSeconds: positive('burst-seconds', flags.burstSeconds)!,
        burstEverySeconds: positive('burst-every', flags.burstEvery)!,
      },
    },
  );
  console.log(
    `tickstock sim: scenario ${flags.scenario}, seed ${seed} (repeat with --seed ${seed})${db ? '' : ', --no-db: nothing recorded'}`,
  );
  const status = createStatusLine();
  let lastSent = 0;
  const progress = setInterval(() => {
    const s = sim.stats();
    const rate = s.sent - lastSent;
    lastSent = s.sent;
    status.update(
      `sent ${s.sent} · ${rate}/s · late p99 ${formatMs(s.lateness.p99)} · subscribers ${s.lastSubscribers ?? '?'}${s.dbFailures ? ` · db failures ${s.dbFailures}` : ''}`,
    );
  }, 1000);
  const stop = untilStopSignal().then((signal) => {
    console.log(`\n${signal}: stopping; flushing what was scheduled`);
    sim.stop();
  });
  try {
    const stats = await sim.run();
    status.done();
    printSimSummary(stats);
  } finally {
    clearInterval(progress);
    void stop;
    await close();
  }
}

/** `tickstock sim once`: spec 001 §5's test pattern generator. */
export async function simOnceCommand(
  config: HarnessConfig,
  flags: Pick<SimFlags, 'redisUrl' | 'databaseUrl' | 'db' | 'seed'>,
): Promise<void> {
  const seed = positive('seed', flags.seed, true) ?? Math.floor(Date.now() % 2 ** 31);
  const { redis, db, recorder, close } = connections(config, flags, seed);
  try {
    const { event, receivers, recorded } = await publishOnce({
      redis,
      db,
      recorder,
      clock: systemClock,
      random: seededRandom(seed),
    });
    console.log(
      `[DB] ${recorded ? `logged PATTERN_PUBLISHED: ${event.data.pattern} @ ${event.data.symbol}` : 'not recorded (--no-db or tracking off)'}`,
    );
    console.log(
      `[REDIS] published to ${receivers} subscribers${receivers === 0 ? ' (nobody is listening: the event is lost)' : ''}`,
    );
    console.log(
      `Pattern: ${event.data.pattern} @ ${event.data.symbol} (confidence: ${event.data.confidence})`,
    );
    console.log(`Flow ID: ${event.data.flow_id}`);
  } finally {
    await close();
  }
}

export interface SimErrorFlags {
  readonly redisUrl?: string;
  readonly sequence: boolean;
  readonly rate: string;
  readonly count?: string;
  readonly duration?: string;
  readonly seed?: string;
  readonly severities: string;
  readonly categories?: string;
  readonly interval: string;
}

/** `tickstock sim errors`: spec 004's test sequence, or a seeded error mix at a rate. */
export async function simErrorsCommand(config: HarnessConfig, flags: SimErrorFlags): Promise<void> {
  const logger = createCliLogger(config.logLevel);
  const categories = flags.categories?.split(',').filter(Boolean) ?? [...CATEGORIES];
  const unknown = categories.filter((c) => !(CATEGORIES as readonly string[]).includes(c));
  if (unknown.length > 0)
    throw new HarnessError(
      'CLI_BAD_OPTION',
      `--categories has unknown ${unknown.join(', ')}.`,
      `Use any of ${CATEGORIES.join(', ')}.`,
    );
  let severities;
  try {
    severities = parseSeverityWeights(flags.severities);
  } catch (error) {
    throw new HarnessError(
      'CLI_BAD_OPTION',
      `--severities: ${(error as Error).message}.`,
      'Write it like debug:1,warning:4,error:3,critical:0.2.',
    );
  }
  const redis = new Redis(requireUrl(flags.redisUrl, config.services.redisUrl, 'REDIS_URL', '--redis-url'));
  const seed = positive('seed', flags.seed, true) ?? Math.floor(Date.now() % 2 ** 31);
  const durationS = positive('duration', flags.duration);
  const abort = new AbortController();
  void untilStopSignal().then(() => abort.abort());
  console.log(
    `tickstock sim errors: ${flags.sequence ? "spec 004's test sequence" : `mix at ${flags.rate}/s`}, seed ${seed}`,
  );
  try {
    const stats = await runErrorSimulation(
      { redis, clock: systemClock, logger, signal: abort.signal },
      {
        seed,
        mode: flags.sequence ? 'sequence' : 'mix',
        rate: positive('rate', flags.rate)!,
        count: positive('count', flags.count),
        durationMs: durationS === undefined ? undefined : durationS * 1000,
        mix: { severities, categories: categories as Category[] },
        sequenceIntervalMs: positive('interval', flags.interval, true)! * 1000,
      },
      (m) => console.log(`${m.severity.padEnd(8)} ${m.category.padEnd(13)} ${m.error_id}`),
    );
    console.log(
      `sent ${stats.sent} errors: ${Object.entries(stats.bySeverity)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}`,
    );
    if (stats.zeroSubscriberPublishes > 0)
      console.log(`WARNING: ${stats.zeroSubscriberPublishes} reached 0 subscribers (lost)`);
  } finally {
    redis.disconnect();
  }
}
