import { writeFile } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import type { HarnessConfig } from '../config/load-config.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { createPool } from '../db/pools.ts';
import { probePostgres, probeRedis } from '../services/service-probe.ts';
import { systemClock } from '../shared/clock.ts';
import { formatMs } from '../shared/latency-histogram.ts';
import { createCliLogger, type Logger } from '../shared/logger.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { publishOnce } from '../sim/publish-once.ts';
import { recorderFor } from '../sim/producer-recorder.ts';
import type { ConsumerProfile } from '../contract/consumer-profiles.ts';
import { CATEGORIES, type Category } from '../contract/schemas/error-message.ts';
import { parseSeverityWeights } from '../sim/error-generator.ts';
import { runErrorSimulation } from '../sim/error-simulator.ts';
import { DEFAULT_SCENARIO, type ScenarioKind, type ScenarioOptions } from '../sim/scenarios.ts';
import { exportRecording } from '../sim/export-recording.ts';
import { createRecordingWriter } from '../sim/recording-file.ts';
import { CHANNELS } from '../contract/channels.ts';
import { createSimulator, DEFAULT_SIMULATOR, type SimulatorStats } from '../sim/simulator.ts';
import type { ClusterTarget } from '../services/cluster-target.ts';
import { connectPubSub, pubSubTarget } from './cli-redis.ts';
import { requireUrl } from './cli-urls.ts';
import { latencyReport } from '../contract/latency-report.ts';
import type { SimReport } from '../contract/schemas/sim-report.ts';
import { untilStopSignal } from './signals.ts';
import { createStatusLine } from './status-line.ts';

export interface SimFlags {
  readonly redisUrl?: string;
  /** Sharded pub-sub on this Redis Cluster (--redis-cluster), instead of --redis-url. */
  readonly redisCluster?: ClusterTarget;
  readonly databaseUrl?: string;
  readonly db: boolean;
  readonly rate: number;
  readonly scenario: ScenarioKind;
  readonly count?: number;
  readonly duration?: number;
  readonly seed?: number;
  readonly repeatIds?: boolean;
  /** Seconds sent before the measured run, with other seeds, counted apart (a cold process is late). */
  readonly warmup: number;
  readonly rampFrom: number;
  readonly rampSeconds: number;
  readonly burstRate: number;
  readonly burstSeconds: number;
  readonly burstEvery: number;
  readonly heartbeat: number;
  readonly backtestRate: number;
  readonly healthRate: number;
  readonly recordWait: number;
  readonly recordTimeout: number;
  readonly holdWhileUnsubscribed?: boolean;
  /** The consumer the messages are for (backtest messages go out in its shape). */
  readonly profile: ConsumerProfile;
  /** Where to write the figures as JSON (`--out json=FILE`). */
  readonly out?: string;
  /** Write the run as a recording to this file instead of publishing (`--export`). */
  readonly export?: string;
}

export type SimOnceFlags = Pick<
  SimFlags,
  'redisUrl' | 'redisCluster' | 'databaseUrl' | 'db' | 'seed' | 'repeatIds'
>;

/**
 * The seed decides the content; flow ids come from their own stream, new for every run unless
 * --repeat-ids, so that two runs with one seed never merge their flows in the database.
 */
export function runSeeds(flags: { seed?: number; repeatIds?: boolean }): { seed: number; idSeed: number } {
  const seed = flags.seed ?? randomInt(2 ** 31);
  return { seed, idSeed: flags.repeatIds === true ? seed : randomInt(2 ** 31) };
}

/**
 * Redis, and a pool when the simulator records (not --no-db, tracking on); the recorder follows
 * TRACKING_SINK so that producer and consumer checkpoints land in the same place.
 */
export async function simConnections(
  config: HarnessConfig,
  flags: Pick<SimFlags, 'redisUrl' | 'redisCluster' | 'databaseUrl' | 'db'>,
  seed: number,
  logger: Logger,
) {
  const target = pubSubTarget(flags, config.services);
  const { redisUrl } = target;
  const records = flags.db && config.tracking.enabled;
  const databaseUrl = records
    ? requireUrl(flags.databaseUrl, config.services.postgresUrl, 'DATABASE_URL', '--database-url')
    : undefined;
  // Both checked before the first event: nothing is recorded for an event that cannot be sent.
  await probeRedis(redisUrl);
  if (databaseUrl !== undefined) await probePostgres(databaseUrl);
  // No auto-pipelining: its batch buffers tripled the GC time at 20,000 events/s, and the pauses were the
  // generator's lateness (p99 3.5 → 1.8 ms, docs/performance.md). A batch's PUBLISHes go out in one write.
  const redis = connectPubSub(target, logger);
  const db =
    databaseUrl === undefined
      ? undefined
      : createPool(databaseUrl, { max: 4, asyncCommit: true, applicationName: 'tickstock-sim' }, logger);
  const recorder =
    db === undefined ? undefined : recorderFor(config.tracking.sink, db, seededRandom(seed + 1));
  return {
    redis,
    redisUrl,
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
    `recorded PATTERN_PUBLISHED: ${stats.recorded}${stats.dbFailures > 0 ? `, NOT recorded: ${stats.dbFailures} (${stats.recordTimeouts} of them timed out: the database did not answer)` : ''}`,
  );
  write(
    `lateness vs schedule: p50 ${formatMs(stats.lateness.p50)}, p99 ${formatMs(stats.lateness.p99)}, max ${formatMs(stats.lateness.max)}`,
  );
  if (stats.zeroSubscriberPublishes > 0)
    write(`WARNING: ${stats.zeroSubscriberPublishes} publishes reached 0 subscribers (lost)`);
  if (stats.publishFailures > 0)
    write(`WARNING: ${stats.publishFailures} PUBLISHes failed (Redis away too long): not sent`);
  if (stats.heldMs > 0)
    write(
      `held ${(stats.heldMs / 1000).toFixed(1)} s for a subscriber; what fell due meanwhile went out late`,
    );
}

function printWarmup(stats: SimulatorStats, seconds: number, write = console.log): void {
  const lost = stats.zeroSubscriberPublishes + stats.publishFailures;
  write(
    `warm-up (not in the figures below): ${seconds} s, sent ${stats.sent}, late p99 ${formatMs(stats.lateness.p99)}${lost > 0 ? `, ${lost} reached nobody or failed` : ''}`,
  );
}

function simReport(
  stats: SimulatorStats,
  warmup: SimulatorStats | undefined,
  seed: number,
  flags: SimFlags,
): SimReport {
  return {
    schema: 'tickstock-sim/1',
    seed,
    profile: flags.profile.name,
    scenario: flags.scenario,
    sent: stats.sent,
    malformed: stats.malformed,
    aux_sent: stats.auxSent,
    recorded: stats.recorded,
    db_failures: stats.dbFailures,
    record_timeouts: stats.recordTimeouts,
    zero_subscriber_publishes: stats.zeroSubscriberPublishes,
    publish_failures: stats.publishFailures,
    held_ms: Math.round(stats.heldMs),
    elapsed_ms: Math.round(stats.elapsedMs),
    rate_achieved: Math.round((stats.sent / Math.max(stats.elapsedMs, 1)) * 1000 * 10) / 10,
    lateness_ms: latencyReport(stats.lateness),
    ...(warmup === undefined
      ? {}
      : {
          warmup: { seconds: flags.warmup, sent: warmup.sent, lateness_ms: latencyReport(warmup.lateness) },
        }),
  };
}

/** A run's outcome as its exit code: events lost to nobody, or checkpoints not recorded, are problems. */
export function simOutcome(stats: SimulatorStats, write: (line: string) => void = console.log): number {
  const problems = [
    stats.zeroSubscriberPublishes > 0 ? `${stats.zeroSubscriberPublishes} events reached no subscriber` : '',
    stats.dbFailures > 0 ? `${stats.dbFailures} PATTERN_PUBLISHED not recorded` : '',
    stats.publishFailures > 0 ? `${stats.publishFailures} PUBLISHes failed` : '',
  ].filter(Boolean);
  write(problems.length === 0 ? 'result: ok' : `result: PROBLEMS: ${problems.join('; ')} (exit 1)`);
  return problems.length === 0 ? ExitCode.ok : ExitCode.problems;
}

/** `tickstock sim`: the producer simulator against any Redis/PostgreSQL, staging included. */
export async function simCommand(config: HarnessConfig, flags: SimFlags): Promise<void> {
  if (flags.export !== undefined) return simExport(flags, flags.export);
  const stopSignal = untilStopSignal(); // listening before anything is printed
  const { seed, idSeed } = runSeeds(flags);
  const status = createStatusLine();
  const logger = createCliLogger(config.logLevel, status.logStream());
  const { redis, db, recorder, close } = await simConnections(config, flags, seed, logger);
  const deps = { redis, db, recorder, clock: systemClock, logger };
  const options = {
    ...DEFAULT_SIMULATOR,
    seed,
    idSeed,
    count: flags.count,
    durationMs: flags.duration === undefined ? undefined : flags.duration * 1000,
    heartbeatIntervalMs: flags.heartbeat * 1000,
    backtestRate: flags.backtestRate,
    healthRate: flags.healthRate,
    profile: flags.profile,
    recordWaitMs: flags.recordWait,
    recordTimeoutMs: flags.recordTimeout,
    holdWhileUnsubscribed: flags.holdWhileUnsubscribed === true,
    scenario: scenarioOf(flags),
  };
  const sim = createSimulator(deps, options);
  // As run's warm-up: its own seeds, --rate steady, patterns only. The first second of a cold process
  // (code not yet optimised, the heap still growing) was late by p99 3–15 ms at 20,000 events/s.
  const warmup =
    flags.warmup > 0
      ? createSimulator(deps, {
          ...options,
          seed: seed + 1,
          idSeed: idSeed + 1,
          count: undefined,
          durationMs: flags.warmup * 1000,
          scenario: { ...options.scenario, kind: 'steady' },
          backtestRate: 0,
          healthRate: 0,
        })
      : undefined;
  console.log(
    `tickstock sim: scenario ${flags.scenario}, profile ${flags.profile.name}, seed ${seed} (same events with --seed ${seed}; flow ids are new each run unless --repeat-ids)${db ? '' : ', --no-db: nothing recorded'}`,
  );
  let lastSent = 0;
  let warming = warmup !== undefined;
  const progress = setInterval(() => {
    const s = (warming && warmup ? warmup : sim).stats();
    const rate = s.sent - lastSent;
    lastSent = s.sent;
    status.update(
      `${warming ? 'warming up · ' : ''}sent ${s.sent} · ${rate}/s · late p99 ${formatMs(s.lateness.p99)} · subscribers ${s.lastSubscribers ?? '?'}${s.dbFailures ? ` · db failures ${s.dbFailures}` : ''}${s.publishFailures ? ` · publish failures ${s.publishFailures}` : ''}`,
    );
  }, 1000);
  void stopSignal.then((signal) => {
    status.print(`${signal}: stopping; flushing what was scheduled (again: stop at once)`);
    warmup?.stop();
    sim.stop();
  });
  try {
    const warmupStats = await warmup?.run();
    warming = false;
    lastSent = 0;
    const stats = await sim.run();
    status.done();
    if (warmupStats !== undefined) printWarmup(warmupStats, flags.warmup);
    printSimSummary(stats);
    if (flags.out !== undefined) {
      const report = simReport(stats, warmupStats, seed, flags);
      await writeFile(flags.out, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`report: ${flags.out}`);
    }
    process.exitCode = simOutcome(stats);
  } finally {
    clearInterval(progress);
    await close();
  }
}

const scenarioOf = (flags: SimFlags): ScenarioOptions => ({
  ...DEFAULT_SCENARIO,
  kind: flags.scenario,
  rate: flags.rate,
  rampFrom: flags.rampFrom,
  rampSeconds: flags.rampSeconds,
  burstRate: flags.burstRate,
  burstSeconds: flags.burstSeconds,
  burstEverySeconds: flags.burstEvery,
});

/** `tickstock sim --export FILE`: the seeded run written as a recording, at once, with no services. */
async function simExport(flags: SimFlags, path: string): Promise<void> {
  if (flags.count === undefined && flags.duration === undefined)
    throw new HarnessError(
      'CLI_USAGE',
      '--export needs an end: a schedule without --count or --duration never ends.',
      'Add --duration <seconds> or --count <n>.',
    );
  const { seed, idSeed } = runSeeds(flags);
  const start = new Date();
  const writer = await createRecordingWriter(path, {
    started_at: start.toISOString(),
    source: `tickstock sim --seed ${seed} --scenario ${flags.scenario} --rate ${flags.rate}`,
    channels: [CHANNELS.patterns],
    redacted: [],
  });
  const { written, lastOffsetMs } = await exportRecording(writer, {
    seed,
    idSeed,
    scenario: scenarioOf(flags),
    startMs: start.getTime(),
    durationMs: flags.duration === undefined ? undefined : flags.duration * 1000,
    count: flags.count,
  });
  const durationMs = flags.duration === undefined ? lastOffsetMs : flags.duration * 1000;
  await writer.close(durationMs, new Date(start.getTime() + durationMs));
  console.log(
    `tickstock sim --export: ${written} pattern events over ${(durationMs / 1000).toFixed(1)} s (scenario ${flags.scenario}, seed ${seed}) → ${path}`,
  );
}

/** `tickstock sim once`: spec 001 §5's test pattern generator; exit 1 when nobody received it. */
export async function simOnceCommand(config: HarnessConfig, flags: SimOnceFlags): Promise<void> {
  const { seed, idSeed } = runSeeds(flags);
  const logger = createCliLogger(config.logLevel);
  const { redis, db, recorder, close } = await simConnections(config, flags, seed, logger);
  try {
    const { event, receivers, recorded } = await publishOnce({
      redis,
      db,
      recorder,
      clock: systemClock,
      random: seededRandom(seed),
      ids: seededRandom(idSeed),
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
    if (receivers === 0) process.exitCode = ExitCode.problems;
  } finally {
    await close();
  }
}

export interface SimErrorFlags {
  readonly redisUrl?: string;
  readonly redisCluster?: ClusterTarget;
  readonly sequence: boolean;
  readonly rate: number;
  readonly count?: number;
  readonly duration?: number;
  readonly seed?: number;
  readonly severities: string;
  readonly categories?: string;
  readonly interval: number;
  /** The consumer the errors are for (tickstockappv2: with source and message). */
  readonly profile: ConsumerProfile;
}

function errorMix(flags: SimErrorFlags) {
  const categories = flags.categories?.split(',').filter(Boolean) ?? [...CATEGORIES];
  const unknown = categories.filter((c) => !(CATEGORIES as readonly string[]).includes(c));
  if (unknown.length > 0)
    throw new HarnessError(
      'CLI_BAD_OPTION',
      `--categories has unknown ${unknown.join(', ')}.`,
      `Use any of ${CATEGORIES.join(', ')}.`,
    );
  try {
    return { severities: parseSeverityWeights(flags.severities), categories: categories as Category[] };
  } catch (error) {
    throw new HarnessError(
      'CLI_BAD_OPTION',
      `--severities: ${(error as Error).message}.`,
      'Write it like debug:1,warning:4,error:3,critical:0.2.',
    );
  }
}

/** `tickstock sim errors`: spec 004's test sequence, or a seeded error mix at a rate. */
export async function simErrorsCommand(config: HarnessConfig, flags: SimErrorFlags): Promise<void> {
  const logger = createCliLogger(config.logLevel);
  const mix = errorMix(flags);
  const target = pubSubTarget(flags, config.services);
  await probeRedis(target.redisUrl);
  const redis = connectPubSub(target, logger);
  const { seed } = runSeeds(flags);
  const abort = new AbortController();
  void untilStopSignal().then(() => abort.abort());
  console.log(
    `tickstock sim errors: ${flags.sequence ? "spec 004's test sequence" : `mix at ${flags.rate}/s`}, profile ${flags.profile.name}, seed ${seed}`,
  );
  try {
    const stats = await runErrorSimulation(
      { redis, clock: systemClock, logger, signal: abort.signal },
      {
        seed,
        mode: flags.sequence ? 'sequence' : 'mix',
        rate: flags.rate,
        count: flags.count,
        durationMs: flags.duration === undefined ? undefined : flags.duration * 1000,
        mix,
        sequenceIntervalMs: flags.interval * 1000,
        profile: flags.profile,
      },
      (m) => console.log(`${m.severity.padEnd(8)} ${m.category.padEnd(13)} ${m.error_id}`),
    );
    console.log(
      `sent ${stats.sent} errors: ${Object.entries(stats.bySeverity)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}`,
    );
    if (stats.zeroSubscriberPublishes > 0) {
      console.log(`WARNING: ${stats.zeroSubscriberPublishes} reached 0 subscribers (lost)`);
      process.exitCode = ExitCode.problems;
    }
  } finally {
    redis.disconnect();
  }
}
