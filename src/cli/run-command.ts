import { join } from 'node:path';
import type { HarnessConfig } from '../config/load-config.ts';
import type { ConsumerProfile } from '../contract/consumer-profiles.ts';
import { migrate } from '../db/migrate.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { jsonOutput } from '../run/outputs/json-output.ts';
import { junitOutput } from '../run/outputs/junit-output.ts';
import type { RunOutput } from '../run/outputs/run-output.ts';
import { summaryOutput } from '../run/outputs/summary-output.ts';
import { runReport } from '../run/run-report.ts';
import { runLoad, type LoadSource } from '../run/run-load.ts';
import { parseThreshold } from '../run/thresholds.ts';
import { systemClock } from '../shared/clock.ts';
import { createCliLogger } from '../shared/logger.ts';
import { DEFAULT_SCENARIO } from '../sim/scenarios.ts';
import { createSimulator, DEFAULT_SIMULATOR } from '../sim/simulator.ts';
import { runSeeds, simConnections } from './sim-command.ts';
import { untilStopSignal } from './signals.ts';
import { spawnClientsWorker } from './clients-worker-command.ts';
import { createStatusLine } from './status-line.ts';
import { startConsumerProcess } from './consumer-process.ts';
import { throwawayServices, withServices } from './with-services.ts';

export interface RunFlags {
  readonly redisUrl?: string;
  readonly databaseUrl?: string;
  readonly db: boolean;
  readonly socketioUrl?: string;
  readonly socketioPath?: string;
  readonly token?: string;
  readonly profile: ConsumerProfile;
  readonly rate: number;
  readonly duration: number;
  readonly clients: number;
  readonly workers: number;
  readonly seed?: number;
  readonly grace: number;
  /** Seconds of load at the same rate before the measured window (0: none). */
  readonly warmup: number;
  readonly threshold: readonly string[];
  readonly out: readonly string[];
  readonly junit?: string;
  /** `reference`: start throwaway services and our consumer, and load that. */
  readonly start?: string;
}

/** Spec 000's target and nothing lost, unless the run names its own thresholds. */
export const DEFAULT_THRESHOLDS = ['publish_to_client.p99 < 100', 'lost == 0'] as const;

const usage = (code: string, message: string, hint: string) => new HarnessError(code, message, hint);

function outputsFor(flags: RunFlags): RunOutput[] {
  const outputs = flags.out.map((spec) => {
    const [kind, path] = spec.split(/=(.*)/s);
    if (kind === 'json' && path) return jsonOutput(path);
    throw usage(
      'CLI_USAGE',
      `--out ${spec}: not an output`,
      'Write --out json=FILE (and --junit FILE for JUnit).',
    );
  });
  return flags.junit === undefined ? outputs : [...outputs, junitOutput(flags.junit)];
}

/**
 * `tickstock run`: load against a consumer (ours or any other, by its profile) through Socket.IO
 * clients, timed from each event's intended send time; thresholds decide the exit code (99 on fail).
 * `--start reference` first starts throwaway services and our consumer in a process of its own.
 */
export async function runCommand(config: HarnessConfig, flags: RunFlags): Promise<void> {
  const stopSignal = untilStopSignal(); // listening before anything is printed
  const plan = planRun(flags);
  if (flags.start === undefined) {
    if (flags.socketioUrl === undefined)
      throw usage(
        'CLI_USAGE',
        'No consumer to measure: --socketio-url is missing.',
        "Pass the consumer's Socket.IO origin, e.g. --socketio-url http://127.0.0.1:8787, or --start reference.",
      );
    return loadAgainst(config, flags, plan, flags.socketioUrl, stopSignal);
  }
  if (flags.start !== 'reference')
    throw usage(
      'CLI_USAGE',
      `--start ${flags.start}: nothing of that name to start`,
      'Use --start reference.',
    );
  const given = (['socketioUrl', 'redisUrl', 'databaseUrl'] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 0)
    throw usage(
      'CLI_USAGE',
      `--start reference starts its own services and consumer, but ${given.map(flagName).join(', ')} was given too`,
      'Drop those flags, or drop --start to measure the consumer they point at.',
    );
  await withServices(throwawayServices(config, false), async (services, runDir) => {
    console.log(services.describe());
    await migrate(services.postgres.url);
    const urls = { redisUrl: services.redis.url, databaseUrl: services.postgres.url };
    const consumer = await startConsumerProcess({ ...urls, spillPath: join(runDir, 'error-spill.jsonl') });
    try {
      await loadAgainst(config, { ...flags, ...urls }, plan, consumer.url, stopSignal);
    } finally {
      await consumer.stop();
    }
  });
}

const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Everything a run needs from its flags that can be wrong, checked before anything starts (exit 2). */
function planRun(flags: RunFlags) {
  const { profile } = flags; // an unknown one was refused while the options were parsed
  const thresholds = (flags.threshold.length > 0 ? flags.threshold : DEFAULT_THRESHOLDS).map(parseThreshold);
  return { profile, thresholds, outputs: [summaryOutput(console.log), ...outputsFor(flags)] };
}

async function loadAgainst(
  config: HarnessConfig,
  flags: RunFlags,
  { profile, thresholds, outputs }: ReturnType<typeof planRun>,
  socketioUrl: string,
  stopSignal: Promise<NodeJS.Signals>,
): Promise<void> {
  const { seed, idSeed } = runSeeds(flags);
  const status = createStatusLine();
  const logger = createCliLogger(config.logLevel, status.logStream());
  const { redis, db, recorder, close } = await simConnections(config, flags, seed, logger);
  try {
    // The simulator as a load source: it tells the run of each flow just before PUBLISH.
    const simulatorSource = (options: { seed: number; idSeed: number; durationMs: number }): LoadSource => {
      let sent: (flowId: string, intendedAtMs: number) => void = () => undefined;
      const sim = createSimulator(
        {
          redis,
          db,
          recorder,
          clock: systemClock,
          logger,
          onPublishing: (batch) => batch.forEach((d) => sent(d.event.data.flow_id, d.scheduledAt)),
        },
        { ...DEFAULT_SIMULATOR, ...options, profile, scenario: { ...DEFAULT_SCENARIO, rate: flags.rate } },
      );
      return {
        run: async (onSent) => {
          sent = onSent;
          const stats = await sim.run();
          return { sent: stats.sent, lateness: stats.lateness };
        },
        stop: () => sim.stop(),
      };
    };
    const source = simulatorSource({ seed, idSeed, durationMs: flags.duration * 1000 });
    // Its own seeds: the warm-up's flows are other flows than the measured ones.
    const warmup =
      flags.warmup > 0
        ? simulatorSource({ seed: seed + 1, idSeed: idSeed + 1, durationMs: flags.warmup * 1000 })
        : undefined;
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
        onStart: () =>
          console.log(
            `tickstock run: ${flags.rate}/s for ${flags.duration} s to ${socketioUrl} (profile ${profile.name}${flags.warmup > 0 ? `, after a ${flags.warmup} s warm-up` : ''}), ${flags.clients} clients, seed ${seed}; thresholds: ${thresholds.map((t) => t.expr).join(', ')}`,
          ),
        onProgress: (p) =>
          status.update(
            `${p.phase === 'warm-up' ? 'warming up · ' : ''}${(p.elapsedMs / 1000).toFixed(0)} s · sent ${p.sent} · received (fewest) ${p.receivedMin}`,
          ),
      },
      {
        target: { url: socketioUrl, path: flags.socketioPath, token: flags.token },
        profile,
        clients: flags.clients,
        workers: flags.workers,
        graceMs: flags.grace * 1000,
        warmupMs: flags.warmup * 1000,
        thresholds,
      },
    );
    status.done();
    const report = runReport(result);
    for (const output of outputs) await output.write(report);
    process.exitCode = report.verdict === 'pass' ? ExitCode.ok : ExitCode.threshold;
  } finally {
    await close();
  }
}
