/* The consumer under load, in its own process: tracking on (batched rows) or off (log lines only). */
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { composeConsumer } from '../../../src/consumer/compose-consumer.ts';
import { DEFAULT_CONSUMER } from '../../../src/consumer/consumer-options.ts';
import { DEFAULT_ERROR_MONITORING } from '../../../src/consumer/errors/error-monitoring.ts';
import { DEFAULT_ERROR_STORE } from '../../../src/consumer/errors/error-store.ts';
import { createPool } from '../../../src/db/pools.ts';
import { systemClock } from '../../../src/shared/clock.ts';
import { DEFAULT_BATCHING } from '../../../src/tracking/batching-sink.ts';
import { NullSink } from '../../../src/tracking/null-sink.ts';
import { startNaiveInlineConsumer } from './naive-inline-consumer.ts';
import { childConfig, onStop, sendToParent } from './ipc.ts';

/** What the consumer under load records: nothing, log lines, rows (ours, in any sink), or rows the naive way. */
export type TrackingMode = 'off' | 'log-only' | 'integration_events' | 'events' | 'both' | 'naive-inline';

export interface ConsumerProcessConfig {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly tracking: TrackingMode;
  readonly logFile: string;
}

export interface ConsumerProcessResult {
  readonly health: unknown;
  /** CPU time used by the consumer process, in ms, and per second of the run. */
  readonly cpuMs: number;
  readonly eventLoopUtilization: number;
}

const config = childConfig<ConsumerProcessConfig>();
const logger = pino({ level: 'info' }, createWriteStream(config.logFile));

/** The naive inline consumer, for comparison: every row committed before going on. */
async function startNaive() {
  const inline = createPool(
    config.databaseUrl,
    { max: 10, asyncCommit: false, applicationName: 'load-naive' },
    logger,
  );
  const naive = await startNaiveInlineConsumer(config.redisUrl, inline);
  return {
    url: naive.url,
    health: () => ({ tracking: { written: naive.written(), dropped: 0 } }),
    close: async () => {
      await naive.close();
      await inline.end();
    },
  };
}

/** The reference consumer as the CLI wires it; `off` records nothing, `log-only` log lines. */
async function startReference(mode: Exclude<TrackingMode, 'naive-inline'>) {
  const composed = await composeConsumer(
    {
      redisUrl: config.redisUrl,
      databaseUrl: config.databaseUrl,
      consumer: { ...DEFAULT_CONSUMER, port: 0 },
      tracking:
        mode === 'off' || mode === 'log-only'
          ? { enabled: false, sink: 'integration_events', batching: DEFAULT_BATCHING } // no rows: sink unused
          : { enabled: true, sink: mode, batching: DEFAULT_BATCHING },
      errors: {
        ...DEFAULT_ERROR_MONITORING,
        store: { ...DEFAULT_ERROR_STORE, spillPath: `${config.logFile}.spill` },
      },
      poolSizes: { tracking: 2, errors: 10 },
    },
    { logger, clock: systemClock, sink: mode === 'off' ? new NullSink() : undefined },
  );
  return {
    url: composed.consumer.url(),
    health: () => composed.consumer.health(),
    close: () => composed.close(),
  };
}

const running =
  config.tracking === 'naive-inline' ? await startNaive() : await startReference(config.tracking);
const cpu = process.cpuUsage();
const elu = performance.eventLoopUtilization();
sendToParent({ type: 'ready', url: running.url });
onStop(async () => {
  const used = process.cpuUsage(cpu);
  const loop = performance.eventLoopUtilization(elu);
  await running.close();
  const result: ConsumerProcessResult = {
    health: running.health(),
    cpuMs: (used.user + used.system) / 1000,
    eventLoopUtilization: loop.utilization,
  };
  sendToParent({ type: 'result', result });
});
