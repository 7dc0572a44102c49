import { Redis } from 'ioredis';
import type { HarnessConfig } from '../config/load-config.ts';
import { migrate } from '../db/migrate.ts';
import { createPool } from '../db/pools.ts';
import { systemClock } from '../shared/clock.ts';
import { createCliLogger } from '../shared/logger.ts';
import { DEFAULT_SCENARIO } from '../sim/scenarios.ts';
import { DEFAULT_MIX } from '../sim/error-generator.ts';
import { runErrorSimulation } from '../sim/error-simulator.ts';
import { recorderFor } from '../sim/producer-recorder.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { createSimulator, DEFAULT_SIMULATOR } from '../sim/simulator.ts';
import { failOnUnwritten, runConsumer } from './run-consumer.ts';
import type { Unwritten } from '../consumer/compose-consumer.ts';
import { printSimSummary, runSeeds } from './sim-command.ts';
import { untilStopSignal } from './signals.ts';
import { createStatusLine } from './status-line.ts';
import { connectDemoBrowser } from './demo-browser.ts';
import { windowedFigures } from './demo-figures.ts';
import { throwawayServices, withServices } from './with-services.ts';

/** The status line's figures cover the last this many seconds. */
const WINDOW_SECONDS = 10;
/** At the end, how long the built-in browser may take to receive what was published. */
const SETTLE_MS = 3000;

export interface DemoFlags {
  readonly rate: number;
  readonly duration?: number;
  readonly seed?: number;
  /** Use DATABASE_URL / REDIS_URL: the demo writes its data there. */
  readonly useEnv: boolean;
}

/**
 * `npm start`: throwaway services from the provider, the schema, the consumer and its pages, the
 * simulator at a steady rate, and a live status line, until Ctrl+C (or --duration); everything is
 * cleaned up. Log lines are written above the status line, never through it.
 */
export async function demoCommand(config: HarnessConfig, flags: DemoFlags): Promise<void> {
  const stopSignal = untilStopSignal(); // listening before the dashboard line is printed
  const status = createStatusLine();
  const logger = createCliLogger(config.logLevel, status.logStream());
  let unwritten: Unwritten | undefined;
  await withServices(throwawayServices(config, flags.useEnv), async (services) => {
    console.log(services.describe());
    await migrate(services.postgres.url);
    const running = await runConsumer(
      config,
      { redisUrl: services.redis.url, databaseUrl: services.postgres.url },
      logger,
    ).catch(async (error: { code?: string }) => {
      if (error.code !== 'CONSUMER_PORT_IN_USE') throw error;
      console.log(`port ${config.consumer.port} is in use; taking a free one`);
      return runConsumer(
        config,
        { redisUrl: services.redis.url, databaseUrl: services.postgres.url },
        logger,
        0,
      );
    });
    const browser = await connectDemoBrowser(running.consumer.url(), systemClock, WINDOW_SECONDS).catch(
      async (error: unknown) => {
        await running.close();
        throw error;
      },
    );
    const redis = new Redis(services.redis.url);
    const db = createPool(
      services.postgres.url,
      { max: 4, asyncCommit: true, applicationName: 'tickstock-demo-sim' },
      logger,
    );
    const { seed, idSeed } = runSeeds(flags);
    const recorder = config.tracking.enabled
      ? recorderFor(config.tracking.sink, db, seededRandom(seed + 1))
      : undefined;
    const simOptions = {
      ...DEFAULT_SIMULATOR,
      seed,
      idSeed,
      scenario: { ...DEFAULT_SCENARIO, rate: flags.rate },
      durationMs: flags.duration === undefined ? undefined : flags.duration * 1000,
      heartbeatIntervalMs: 10_000,
      backtestRate: 0.5,
      healthRate: 0.2,
      precisePacing: false, // the consumer shares this thread
    };
    const sim = createSimulator(
      { redis, db: undefined, recorder, clock: systemClock, logger, onPublishing: browser.publishing },
      simOptions,
    );
    console.log(
      `dashboard (live patterns, errors, alerts): ${running.consumer.url()}/  (seed ${seed}; Ctrl+C stops)`,
    );
    const { consumer } = running;
    const figures = windowedFigures(browser, WINDOW_SECONDS, systemClock.now());
    const tick = setInterval(() => {
      const c = consumer.stats.counters();
      const { tracking: t, clients } = consumer.health();
      status.update(
        `${figures(systemClock.now(), c.events_received)} · subscribers ${sim.stats().lastSubscribers ?? '?'} · browsers ${clients.main} (1 built-in) · rejects ${c.events_rejected} · checkpoints ${t.written} written, ${t.buffered} buffered`,
      );
    }, 1000);
    // A trickle of producer errors, so that the dashboard's error side is alive too.
    const errorsStop = new AbortController();
    const errors = runErrorSimulation(
      { redis, clock: systemClock, logger, signal: errorsStop.signal },
      {
        seed,
        mode: 'mix',
        rate: 0.5,
        count: undefined,
        durationMs: simOptions.durationMs,
        mix: DEFAULT_MIX,
        sequenceIntervalMs: 0,
      },
    );
    void stopSignal.then((signal) => {
      status.print(
        `${signal}: stopping the simulator, draining checkpoints, stopping services (again: stop at once)`,
      );
      sim.stop();
      errorsStop.abort();
    });
    try {
      const stats = await sim.run();
      clearInterval(tick);
      status.done();
      printSimSummary(stats);
      await browser.settled(SETTLE_MS);
      browser.summary().forEach((line) => console.log(line));
      errorsStop.abort();
      const e = await errors;
      console.log(`sent ${e.sent} producer errors to the dashboard`);
    } finally {
      clearInterval(tick);
      status.done();
      browser.close();
      redis.disconnect();
      unwritten = await running.close();
      await db.end();
    }
  });
  if (unwritten !== undefined)
    failOnUnwritten(unwritten, { errors: config.errors.spillPath, checkpoints: config.tracking });
}
