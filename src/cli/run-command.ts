import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HarnessConfig } from '../config/load-config.ts';
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
import { judgeAgainstBaseline, type Baseline } from '../run/baseline-comparison.ts';
import { parseBaselineReport } from '../run/baseline-file.ts';
import { describeStages, stageSpecs } from '../run/load-shape.ts';
import { floorSource } from '../run/floor-source.ts';
import { openErrorPages } from '../run/browsers/error-pages.ts';
import { launchBrowser } from '../services/headless-browser.ts';
import { runLoad } from '../run/run-load.ts';
import { overlayScenario, resolvePlan, type RunPlan } from '../run/run-plan.ts';
import { parseScenarioFile, parseStageFlag } from '../run/scenario-file.ts';
import { headerNames, parseHeaderFlags } from '../run/request-headers.ts';
import { simulatorSource } from '../run/simulator-source.ts';
import { replaySource } from '../run/replay-source.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { isRecording } from '../sim/recording-file.ts';
import { systemClock } from '../shared/clock.ts';
import { createCliLogger } from '../shared/logger.ts';
import { runSeeds, simConnections } from './sim-command.ts';
import type { ClusterTarget } from '../services/cluster-target.ts';
import type { PubSubClient } from '../services/pubsub-transport.ts';
import { untilStopSignal } from './signals.ts';
import { spawnClientsWorker } from './clients-worker-command.ts';
import { createStatusLine } from './status-line.ts';
import { formatRunProgress } from './run-progress-line.ts';
import { restartableConsumer } from './consumer-process.ts';
import { checkFaultable, faultInjector } from './fault-actions.ts';
import { faultLinks } from './fault-links.ts';
import { placeFaults } from '../run/fault-schedule.ts';
import type { InjectFault } from '../run/fault-runner.ts';
import { spawnBareRelay } from './bare-relay-command.ts';
import { throwawayServices, withServices } from './with-services.ts';

export interface RunFlags {
  readonly redisUrl?: string;
  /** The load's pub-sub sharded on this Redis Cluster (a consumer the run did not start subscribes there). */
  readonly redisCluster?: ClusterTarget;
  readonly databaseUrl?: string;
  /** False only when --no-db was given (commander's default is true). */
  readonly db: boolean;
  readonly socketioUrl?: string;
  readonly socketioPath?: string;
  readonly token?: string;
  /** `Name: value`, repeatable. */
  readonly header: readonly string[];
  readonly profile?: string;
  readonly rate?: number;
  readonly duration?: number;
  readonly stage: readonly string[];
  readonly clients?: number;
  readonly workers?: number;
  readonly browsers?: number;
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
  /** The same as `--out html=FILE`. */
  readonly html?: string;
  readonly baseline?: string;
  readonly baselineTolerance?: number;
  readonly baselineToleranceMs?: number;
  /** `reference`: start throwaway services and our consumer, and load that. */
  readonly start?: string;
  /** Also measure this machine's floor through a bare relay. */
  readonly floor: boolean;
  /** --start reference: a group of this many consumers (CONSUMER_SHARD i/n) sharing their clients. */
  readonly consumers?: number | undefined;
  readonly replay?: string;
  readonly speed?: number;
  readonly loop?: boolean;
  readonly freshIds?: boolean;
  /** Faults to schedule (`at=10s redis:restart`), repeatable. */
  readonly fault: readonly string[];
  readonly allowFaults: boolean;
  readonly linkPort?: Partial<Record<'redis' | 'postgres', number>>;
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

function replayFlags(flags: RunFlags): NonNullable<RunScenario['load']>['replay'] {
  if (flags.replay === undefined) {
    const stray = (['speed', 'loop', 'freshIds'] as const).filter((k) => flags[k] !== undefined);
    if (stray.length > 0)
      throw usage(
        'CLI_USAGE',
        `${stray.map(flagName).join(', ')} without --replay`,
        'They shape a replay: add --replay FILE, or drop them.',
      );
    return undefined;
  }
  return { file: flags.replay, speed: flags.speed, loop: flags.loop, fresh_ids: flags.freshIds };
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
      headers: parseHeaderFlags(flags.header),
      start,
      allow_faults: flags.allowFaults ? true : undefined,
      link_ports: flags.linkPort,
    },
    faults: [...flags.fault],
    load: {
      rate: flags.rate,
      duration: flags.duration,
      stages: flags.stage.length > 0 ? flags.stage.map(parseStageFlag) : undefined,
      seed: flags.seed,
      warmup: flags.warmup,
      grace: flags.grace,
      replay: replayFlags(flags),
    },
    mix: {
      errors: flags.errors,
      error_severities: flags.errorSeverities,
      heartbeat: flags.heartbeat,
      backtest: flags.backtestRate,
      health: flags.healthRate,
      malformed: flags.malformed,
    },
    clients: { socketio: flags.clients, workers: flags.workers, browsers: flags.browsers },
    thresholds: [...flags.threshold],
    outputs: {
      ...outFlags(flags.html === undefined ? flags.out : [...flags.out, `html=${flags.html}`]),
      junit: flags.junit,
    },
    baseline: {
      file: flags.baseline,
      tolerance_pct: flags.baselineTolerance,
      tolerance_ms: flags.baselineToleranceMs,
    },
  };
}

/** A file the run was pointed at; one it cannot read is a usage error naming it (exit 2). */
const readRunFile = (path: string, code: string, cannot: string, hint: string): Promise<string> =>
  readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw usage(code, `${cannot} (${error.code ?? error.message})`, hint);
  });

async function readScenario(path: string | undefined): Promise<RunScenario> {
  if (path === undefined) return {};
  const text = await readRunFile(
    path,
    'RUN_SCENARIO',
    `${path}: cannot read the scenario file`,
    'Check the path; docs/run.md has an example scenario.',
  );
  return parseScenarioFile(text, path);
}

/** The baseline report, read and checked before anything connects or any load is sent. */
async function readBaseline(given: RunPlan['baseline']): Promise<Baseline | undefined> {
  if (given === undefined) return undefined;
  const text = await readRunFile(
    given.file,
    'RUN_BASELINE',
    `--baseline ${given.file}: cannot read the file`,
    "Check the path: the baseline is an earlier run's --out json=FILE (in CI, the last main run's artefact).",
  );
  return { ...given, report: parseBaselineReport(text, given.file) };
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
  const resolved = resolvePlan(overlayScenario(await readScenario(scenarioPath), flagsScenario(flags)));
  // The seed now: the link proxies' jitter draws from it before the load starts.
  const plan = {
    ...resolved,
    seed: resolved.seed ?? runSeeds(resolved).seed,
    target: { ...resolved.target, redisCluster: flags.redisCluster },
  };
  const links = faultLinks(plan.faults, plan.seed);
  try {
    await runWith(config, plan, flags, links, stopSignal);
  } finally {
    await links.close();
  }
}

async function runWith(
  config: HarnessConfig,
  plan: RunPlan,
  flags: RunFlags,
  links: ReturnType<typeof faultLinks>,
  stopSignal: Promise<NodeJS.Signals>,
): Promise<void> {
  const baseline = await readBaseline(plan.baseline);
  if (plan.replay !== undefined && !(await isRecording(plan.replay.path)))
    throw usage(
      'RUN_REPLAY',
      `--replay ${plan.replay.path}: not a readable tickstock recording`,
      'Give a file written by `tickstock record` or `tickstock sim --export` (docs/operations.md).',
    );
  const { target } = plan;
  const consumers = flags.consumers ?? 1;
  if (consumers > 1 && target.start === undefined)
    throw usage(
      'CLI_USAGE',
      '--consumers starts a group of reference consumers, so it needs --start reference',
      'Add --start reference, or drop --consumers to measure the consumer at --socketio-url.',
    );
  if (target.start === undefined) {
    if (target.socketioUrl === undefined)
      throw usage(
        'CLI_USAGE',
        'No consumer to measure: --socketio-url is missing.',
        "Pass the consumer's Socket.IO origin, e.g. --socketio-url http://127.0.0.1:8787, or --start reference.",
      );
    const socketioUrl = await links.via('clients', target.socketioUrl);
    await links.openForConsumer(target.linkPorts, { redis: target.redisUrl, postgres: target.databaseUrl });
    const inject = faultInjector({ links: links.proxies, clock: systemClock });
    return loadAgainst(config, plan, baseline, flags, socketioUrl, stopSignal, inject);
  }
  const given = (['socketioUrl', 'redisUrl', 'redisCluster', 'databaseUrl'] as const).filter(
    (k) => target[k] !== undefined,
  );
  if (given.length > 0)
    throw usage(
      'CLI_USAGE',
      `--start reference starts its own services and consumer, but ${given.map(flagName).join(', ')} was given too`,
      'Drop those flags (or target fields), or drop --start to measure the consumer they point at.',
    );
  await withServices(throwawayServices(config, false), async (services, runDir) => {
    console.log(services.describe());
    checkFaultable(plan.faults, services);
    await migrate(services.postgres.url);
    const urls = { redisUrl: services.redis.url, databaseUrl: services.postgres.url };
    const env = {
      redisUrl: await links.via('redis', urls.redisUrl),
      databaseUrl: await links.via('postgres', urls.databaseUrl),
      spillDir: runDir,
    };
    // Faults act on the first; the others of a group are started alike and stopped at the end.
    const [first, ...others] = await Promise.all(
      Array.from({ length: consumers }, (_, i) =>
        restartableConsumer(
          consumers === 1
            ? env
            : { ...env, shard: `${i + 1}/${consumers}`, spillDir: join(runDir, `c${i + 1}`) },
        ),
      ),
    );
    const consumer = first!; // consumers ≥ 1
    try {
      const started = { ...plan, target: { ...target, ...urls } };
      const inject = faultInjector({
        started: { services, consumer },
        links: links.proxies,
        clock: systemClock,
      });
      const socketioUrl = await links.via('clients', consumer.url);
      const group = [socketioUrl, ...others.map((c) => c.url)];
      await loadAgainst(config, started, baseline, flags, socketioUrl, stopSignal, inject, group);
    } finally {
      await Promise.all([consumer, ...others].map((c) => c.stop()));
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
// Each page's own (they open four at a time): one alone loads in well under 1 s, but the 47th of 50 on
// 2 cores, beside the 46 already live, once took more than 15 s.
const PAGE_READY_MS = 30_000;

/**
 * This machine's floor before the run: the first stage's rate through a bare relay in its own process,
 * to the same number of clients in the same workers, after the same warm-up.
 */
async function measureFloor(
  plan: RunPlan,
  { redis, redisUrl }: { redis: PubSubClient; redisUrl: string },
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

async function loadAgainst(
  config: HarnessConfig,
  plan: RunPlan,
  baseline: Baseline | undefined,
  flags: Pick<RunFlags, 'token' | 'floor'>,
  socketioUrl: string,
  stopSignal: Promise<NodeJS.Signals>,
  injectFault?: InjectFault,
  group: readonly string[] = [socketioUrl],
): Promise<void> {
  const { profile, thresholds, mix } = plan;
  const { page } = profile;
  const outputs = outputsOf(plan.outputs);
  const { replay } = plan;
  const load = {
    stages: replay === undefined ? stageSpecs(plan.stages) : [],
    warmup_seconds: plan.warmupSeconds,
    ...(replay === undefined
      ? {}
      : {
          replay: { file: replay.path, speed: replay.speed, loop: replay.loop, fresh_ids: replay.freshIds },
        }),
  };
  const { seed, idSeed } = runSeeds(plan);
  const schedule = placeFaults(plan.faults, plan.seconds, seed);
  const status = createStatusLine();
  const logger = createCliLogger(config.logLevel, status.logStream());
  const connections = await simConnections(config, plan.target, seed, logger);
  const { db } = connections;
  try {
    const deps = { ...connections, clock: systemClock, logger };
    const source =
      plan.replay === undefined
        ? simulatorSource(deps, { seed, idSeed, seconds: plan.seconds, scenario: plan.stages, mix, profile })
        : replaySource({ ...deps, random: seededRandom(idSeed) }, plan.replay);
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
        openPages:
          plan.browsers === 0 || page === null
            ? undefined
            : () =>
                openErrorPages(
                  {
                    launch: () => launchBrowser(config.browser, (line) => status.print(line)),
                    clock: systemClock,
                  },
                  {
                    origin: socketioUrl,
                    page,
                    token: flags.token,
                    count: plan.browsers,
                    readyTimeoutMs: PAGE_READY_MS,
                  },
                ),
        faults:
          injectFault === undefined
            ? undefined
            : {
                schedule,
                inject: injectFault,
                onChange: (w) =>
                  status.print(
                    `fault ${w.fault.label}: ${w.endedAtMs === null ? `${w.fault.spec}` : w.failed === undefined ? `over after ${((w.endedAtMs - w.startedAtMs!) / 1000).toFixed(2)} s` : `could not be injected: ${w.failed}`}`,
                  ),
              },
        onStart: () =>
          console.log(
            `tickstock run: ${replay === undefined ? describeStages(load.stages) : `replay of ${replay.path} at speed ${replay.speed}${replay.loop ? ', looped' : ''}${replay.freshIds ? ', fresh ids' : ''}`} to ${socketioUrl}${group.length > 1 ? ` and ${group.length - 1} other consumer${group.length > 2 ? 's' : ''} of its group` : ''} (profile ${profile.name}${plan.warmupSeconds > 0 ? `, after a ${plan.warmupSeconds} s warm-up` : ''}), ${plan.clients} clients${plan.browsers > 0 ? `, ${plan.browsers} browser pages` : ''}, seed ${seed}${headerNames(plan.target.headers).length > 0 ? `, headers ${headerNames(plan.target.headers).join(', ')}` : ''}; thresholds: ${thresholds.map((t) => t.expr).join(', ')}${schedule.length > 0 ? `; faults: ${schedule.map((f) => `${f.label} at ${f.atMs / 1000} s`).join(', ')}` : ''}`,
          ),
        onProgress: (p) => status.update(formatRunProgress(p)),
      },
      {
        target: {
          url: socketioUrl,
          path: plan.target.socketioPath,
          token: flags.token,
          headers: plan.target.headers,
          group,
        },
        profile,
        clients: plan.clients,
        workers: plan.workers,
        graceMs: plan.graceSeconds * 1000,
        warmupMs: plan.warmupSeconds * 1000,
        thresholds,
        sendsErrors: mix.errorsPerSecond > 0,
        floor: floor?.result.publishToClient,
      },
    );
    status.done();
    const measured = runReport(result, { load, floor });
    const report = baseline === undefined ? measured : judgeAgainstBaseline(measured, baseline);
    for (const output of outputs) await output.write(report);
    process.exitCode = report.verdict === 'pass' ? ExitCode.ok : ExitCode.threshold;
  } finally {
    await connections.close();
  }
}
