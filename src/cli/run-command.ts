import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HarnessConfig } from '../config/load-config.ts';
import type { Redis } from 'ioredis';
import { CONSUMER_PROFILES } from '../contract/consumer-profiles.ts';
import type { RunScenario } from '../contract/schemas/run-scenario.ts';
import { storedErrorIds } from '../db/error-logs.ts';
import { flowCheckpoints } from '../db/integration-events.ts';
import { migrate } from '../db/migrate.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { htmlOutput } from '../run/outputs/html-output.ts';
import { jsonOutput } from '../run/outputs/json-output.ts';
import { junitOutput } from '../run/outputs/junit-output.ts';
import type { RunOutput } from '../run/outputs/run-output.ts';
import { summaryOutput } from '../run/outputs/summary-output.ts';
import { runReport, type FloorResult } from '../run/run-report.ts';
import { floorSource } from '../run/floor-source.ts';
import { runLoad } from '../run/run-load.ts';
import { overlayScenario, resolvePlan, type RunPlan } from '../run/run-plan.ts';
import { parseScenarioFile, parseStageFlag } from '../run/scenario-file.ts';
import { simulatorSource } from '../run/simulator-source.ts';
import { systemClock } from '../shared/clock.ts';
import { createCliLogger } from '../shared/logger.ts';
import { runSeeds, simConnections } from './sim-command.ts';
import { untilStopSignal } from './signals.ts';
import { spawnClientsWorker } from './clients-worker-command.ts';
import { createStatusLine } from './status-line.ts';
import { startConsumerProcess } from './consumer-process.ts';
import { spawnBareRelay } from './bare-relay-command.ts';
import { throwawayServices, withServices } from './with-services.ts';

export interface RunFlags {
  readonly redisUrl?: string;
  readonly databaseUrl?: string;
  /** False only when --no-db was given (commander's default is true). */
  readonly db: boolean;
  readonly socketioUrl?: string;
  readonly socketioPath?: string;
  readonly token?: string;
  readonly profile?: string;
  readonly rate?: number;
  readonly duration?: number;
  readonly stage: readonly string[];
  readonly clients?: number;
  readonly workers?: number;
  readonly seed?: number;
  readonly grace?: number;
  readonly warmup?: number;
  readonly errors?: number;
  readonly errorSeverities?: string;
  readonly heartbeat?: number;
  readonly backtestRate?: number;
  readonly healthRate?: number;
  readonly malformed?: number;
  readonly threshold: readonly string[];
  readonly out: readonly string[];
  readonly junit?: string;
  /** `reference`: start throwaway services and our consumer, and load that. */
  readonly start?: string;
  /** Also measure this machine's floor through a bare relay. */
  readonly floor: boolean;
}

const usage = (code: string, message: string, hint: string) => new HarnessError(code, message, hint);

const OUTPUT_KINDS = ['json', 'html'] as const;

/** `--out json=FILE`, `--out html=FILE`, by kind. */
function outFlags(specs: readonly string[]): Partial<Record<(typeof OUTPUT_KINDS)[number], string>> {
  return Object.fromEntries(
    specs.map((spec): [string, string] => {
      const [kind = '', path] = spec.split(/=(.*)/s);
      if (!OUTPUT_KINDS.includes(kind as 'json') || !path)
        throw usage(
          'CLI_USAGE',
          `--out ${spec}: not an output`,
          'Write --out json=FILE or --out html=FILE (and --junit FILE for JUnit).',
        );
      return [kind, path];
    }),
  );
}

/** The command line as a scenario, to lay over the file's (flags win). */
function flagsScenario(flags: RunFlags): RunScenario {
  const { start } = flags;
  if (start !== undefined && start !== 'reference')
    throw usage('CLI_USAGE', `--start ${start}: nothing of that name to start`, 'Use --start reference.');
  if (flags.stage.length > 0 && (flags.rate !== undefined || flags.duration !== undefined))
    throw usage(
      'CLI_USAGE',
      '--stage and --rate/--duration were both given',
      'Give the load as stages (--stage, repeatable) or as one steady rate (--rate, --duration), not both.',
    );
  return {
    profile: flags.profile,
    target: {
      redis_url: flags.redisUrl,
      database_url: flags.databaseUrl,
      db: flags.db ? undefined : false,
      socketio_url: flags.socketioUrl,
      socketio_path: flags.socketioPath,
      start,
    },
    load: {
      rate: flags.rate,
      duration: flags.duration,
      stages: flags.stage.length > 0 ? flags.stage.map(parseStageFlag) : undefined,
      seed: flags.seed,
      warmup: flags.warmup,
      grace: flags.grace,
    },
    mix: {
      errors: flags.errors,
      error_severities: flags.errorSeverities,
      heartbeat: flags.heartbeat,
      backtest: flags.backtestRate,
      health: flags.healthRate,
      malformed: flags.malformed,
    },
    clients: { socketio: flags.clients, workers: flags.workers },
    thresholds: [...flags.threshold],
    outputs: { ...outFlags(flags.out), junit: flags.junit },
  };
}

async function readScenario(path: string | undefined): Promise<RunScenario> {
  if (path === undefined) return {};
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw usage(
      'RUN_SCENARIO',
      `${path}: cannot read the scenario file (${error.code ?? error.message})`,
      'Check the path; docs/run.md has an example scenario.',
    );
  });
  return parseScenarioFile(text, path);
}

/**
 * `tickstock run [scenario]`: load against a consumer (ours or any other, by its profile) through
 * Socket.IO clients, timed from each event's intended send time; thresholds decide the exit code (99
 * on fail). Defaults, then the scenario file, then the flags. `--start reference` first starts
 * throwaway services and our consumer in a process of its own.
 */
export async function runCommand(
  config: HarnessConfig,
  scenarioPath: string | undefined,
  flags: RunFlags,
): Promise<void> {
  const stopSignal = untilStopSignal(); // listening before anything is printed
  const plan = resolvePlan(overlayScenario(await readScenario(scenarioPath), flagsScenario(flags)));
  const { target } = plan;
  if (target.start === undefined) {
    if (target.socketioUrl === undefined)
      throw usage(
        'CLI_USAGE',
        'No consumer to measure: --socketio-url is missing.',
        "Pass the consumer's Socket.IO origin, e.g. --socketio-url http://127.0.0.1:8787, or --start reference.",
      );
    return loadAgainst(config, plan, flags, target.socketioUrl, stopSignal);
  }
  const given = (['socketioUrl', 'redisUrl', 'databaseUrl'] as const).filter((k) => target[k] !== undefined);
  if (given.length > 0)
    throw usage(
      'CLI_USAGE',
      `--start reference starts its own services and consumer, but ${given.map(flagName).join(', ')} was given too`,
      'Drop those flags (or target fields), or drop --start to measure the consumer they point at.',
    );
  await withServices(throwawayServices(config, false), async (services, runDir) => {
    console.log(services.describe());
    await migrate(services.postgres.url);
    const urls = { redisUrl: services.redis.url, databaseUrl: services.postgres.url };
    const consumer = await startConsumerProcess({ ...urls, spillPath: join(runDir, 'error-spill.jsonl') });
    try {
      const started = { ...plan, target: { ...target, ...urls } };
      await loadAgainst(config, started, flags, consumer.url, stopSignal);
    } finally {
      await consumer.stop();
    }
  });
}

const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

const outputsOf = (o: RunPlan['outputs']): RunOutput[] => [
  summaryOutput(console.log),
  ...(o.json === undefined ? [] : [jsonOutput(o.json)]),
  ...(o.junit === undefined ? [] : [junitOutput(o.junit)]),
  ...(o.html === undefined ? [] : [htmlOutput(o.html)]),
];

const FLOOR_MAX_SECONDS = 10;

/**
 * This machine's floor before the run: the first stage's rate through a bare relay in its own process,
 * to the same number of clients in the same workers, after the same warm-up.
 */
async function measureFloor(
  plan: RunPlan,
  { redis, redisUrl }: { redis: Redis; redisUrl: string },
  status: ReturnType<typeof createStatusLine>,
): Promise<FloorResult> {
  const rate = plan.stages[0]!.rate;
  const seconds = Math.min(plan.seconds, FLOOR_MAX_SECONDS);
  const relay = await spawnBareRelay(redisUrl);
  try {
    const source = (prefix: string, s: number) =>
      floorSource({ redis, clock: systemClock }, { rate, seconds: s, prefix });
    const result = await runLoad(
      {
        source: source('floor', seconds),
        warmup: plan.warmupSeconds > 0 ? source('floor-warmup', plan.warmupSeconds) : undefined,
        clock: systemClock,
        spawnWorker: spawnClientsWorker,
        onProgress: (p) =>
          status.update(`floor: ${p.phase} · ${(p.elapsedMs / 1000).toFixed(0)} s · sent ${p.sent}`),
      },
      {
        target: { url: relay.url, path: undefined, token: undefined },
        profile: CONSUMER_PROFILES.spec!,
        clients: plan.clients,
        workers: plan.workers,
        graceMs: plan.graceSeconds * 1000,
        warmupMs: plan.warmupSeconds * 1000,
        thresholds: [],
        sendsErrors: false,
      },
    );
    return { rate, seconds, result };
  } finally {
    await relay.stop();
  }
}

const describeStages = (plan: RunPlan): string =>
  plan.stages
    .map((s) =>
      s.kind === 'ramp'
        ? `ramp ${s.rampFrom}→${s.rate}/s over ${s.seconds} s`
        : s.kind === 'burst'
          ? `burst ${s.rate}/s with ${s.burstRate}/s for ${s.burstSeconds} s every ${s.burstEverySeconds} s, ${s.seconds} s`
          : `${s.kind} ${s.rate}/s for ${s.seconds} s`,
    )
    .join(', then ');

async function loadAgainst(
  config: HarnessConfig,
  plan: RunPlan,
  flags: Pick<RunFlags, 'token' | 'floor'>,
  socketioUrl: string,
  stopSignal: Promise<NodeJS.Signals>,
): Promise<void> {
  const { profile, thresholds, mix } = plan;
  const outputs = outputsOf(plan.outputs);
  const { seed, idSeed } = runSeeds(plan);
  const status = createStatusLine();
  const logger = createCliLogger(config.logLevel, status.logStream());
  const connections = await simConnections(config, plan.target, seed, logger);
  const { db } = connections;
  try {
    const deps = { ...connections, clock: systemClock, logger };
    const source = simulatorSource(deps, {
      seed,
      idSeed,
      seconds: plan.seconds,
      scenario: plan.stages,
      mix,
      profile,
    });
    // Its own seeds, the first stage's rate and no mix: the warm-up's flows are other flows.
    const warmup =
      plan.warmupSeconds > 0
        ? simulatorSource(deps, {
            seed: seed + 1,
            idSeed: idSeed + 1,
            seconds: plan.warmupSeconds,
            scenario: { ...plan.stages[0]!, kind: 'steady' },
            mix: { ...mix, errorsPerSecond: 0, backtestPerSecond: 0, healthPerSecond: 0, malformedShare: 0 },
            profile,
          })
        : undefined;
    const floor = flags.floor ? await measureFloor(plan, connections, status) : null;
    void stopSignal.then((signal) => {
      status.print(
        `${signal}: stopping the load; waiting the grace period, then the summary (again: stop at once)`,
      );
      warmup?.stop();
      source.stop();
    });
    const result = await runLoad(
      {
        source,
        warmup,
        clock: systemClock,
        spawnWorker: spawnClientsWorker,
        readCheckpoints: db === undefined ? undefined : (flowIds) => flowCheckpoints(db, flowIds),
        readStoredErrors:
          db === undefined || profile.errorStore === null
            ? undefined
            : (ids) => storedErrorIds(db, profile.errorStore!, ids),
        onStart: () =>
          console.log(
            `tickstock run: ${describeStages(plan)} to ${socketioUrl} (profile ${profile.name}${plan.warmupSeconds > 0 ? `, after a ${plan.warmupSeconds} s warm-up` : ''}), ${plan.clients} clients, seed ${seed}; thresholds: ${thresholds.map((t) => t.expr).join(', ')}`,
          ),
        onProgress: (p) =>
          status.update(
            `${p.phase === 'warm-up' ? 'warming up · ' : ''}${(p.elapsedMs / 1000).toFixed(0)} s · sent ${p.sent} · received (fewest) ${p.receivedMin}`,
          ),
      },
      {
        target: { url: socketioUrl, path: plan.target.socketioPath, token: flags.token },
        profile,
        clients: plan.clients,
        workers: plan.workers,
        graceMs: plan.graceSeconds * 1000,
        warmupMs: plan.warmupSeconds * 1000,
        thresholds,
        sendsErrors: mix.errorsPerSecond > 0,
      },
    );
    status.done();
    const report = runReport(result, floor);
    for (const output of outputs) await output.write(report);
    process.exitCode = report.verdict === 'pass' ? ExitCode.ok : ExitCode.threshold;
  } finally {
    await connections.close();
  }
}
