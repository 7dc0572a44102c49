/* The consumer under load, in its own process: tracking on (batched rows) or off (log lines only). */
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createConsumer, DEFAULT_CONSUMER } from '../../../src/consumer/consumer.ts';
import type { ErrorMonitoringDeps } from '../../../src/consumer/errors/error-monitoring.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/consumer/errors/alert-rules.ts';
import { DEFAULT_ERROR_STORE } from '../../../src/consumer/errors/error-store.ts';
import { insertErrors } from '../../../src/db/error-logs.ts';
import { createPool } from '../../../src/db/pools.ts';
import { systemClock } from '../../../src/shared/clock.ts';
import { DEFAULT_BATCHING } from '../../../src/tracking/batching-sink.ts';
import { NullSink } from '../../../src/tracking/null-sink.ts';
import { createTrackingSink } from '../../../src/consumer/tracking-sink.ts';
import type pg from 'pg';
import { startNaiveInlineConsumer } from './naive-inline-consumer.ts';
import type { CheckpointSink } from '../../../src/tracking/checkpoint-record.ts';
import { LogSink } from '../../../src/tracking/log-sink.ts';
import { childConfig, onStop, sendToParent } from './ipc.ts';

/** What the consumer under load records: nothing, log lines, rows (ours, in any sink), or rows the naive way. */
export type TrackingMode = 'off' | 'log-only' | 'integration_events' | 'events' | 'both' | 'naive-inline';

export interface ConsumerProcessConfig {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly tracking: TrackingMode;
  readonly logFile: string;
  /** The error API's response cache (ms); 0 measures every request against the database. */
  readonly apiCacheMs?: number;
}

export interface ConsumerProcessResult {
  readonly health: unknown;
  /** CPU time used by the consumer process, in ms, and per second of the run. */
  readonly cpuMs: number;
  readonly eventLoopUtilization: number;
}

const config = childConfig<ConsumerProcessConfig>();
const logger = pino({ level: 'info' }, createWriteStream(config.logFile));

function sinkFor(mode: TrackingMode, pool: pg.Pool): CheckpointSink {
  switch (mode) {
    case 'off':
    case 'naive-inline':
      return new NullSink();
    case 'log-only':
      return new LogSink(logger);
    default:
      return createTrackingSink({ enabled: true, sink: mode, batching: DEFAULT_BATCHING }, pool, logger);
  }
}

/** The reference consumer, or for comparison the naive inline one; both report the same way. */
async function start(pool: pg.Pool, sink: CheckpointSink) {
  if (config.tracking === 'naive-inline') {
    // The naive design commits every row before going on: no asynchronous commit for it.
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
  const errorsPool = createPool(
    config.databaseUrl,
    { max: 10, asyncCommit: false, applicationName: 'load-consumer-errors' },
    logger,
  );
  const errors: ErrorMonitoringDeps = {
    writer: (rows) => insertErrors(errorsPool, rows),
    store: { ...DEFAULT_ERROR_STORE, spillPath: `${config.logFile}.spill` },
    fileLog: { enabled: false, path: '', maxSize: 0, backupCount: 0 },
    db: errorsPool,
    broadcastPerSecond: 10,
    thresholds: DEFAULT_THRESHOLDS,
    adminToken: undefined,
    apiCacheMs: config.apiCacheMs ?? 250,
  };
  const consumer = createConsumer(
    { redisUrl: config.redisUrl, sink, clock: systemClock, logger, errors },
    { ...DEFAULT_CONSUMER, port: 0 },
  );
  await consumer.start();
  return {
    url: consumer.url(),
    health: () => consumer.health(),
    close: async () => {
      await consumer.close();
      await errorsPool.end();
    },
  };
}

const pool = createPool(
  config.databaseUrl,
  { max: 2, asyncCommit: true, applicationName: 'load-consumer' },
  logger,
);
const sink = sinkFor(config.tracking, pool);
const running = await start(pool, sink);
const cpu = process.cpuUsage();
const elu = performance.eventLoopUtilization();
sendToParent({ type: 'ready', url: running.url });
onStop(async () => {
  const used = process.cpuUsage(cpu);
  const loop = performance.eventLoopUtilization(elu);
  await running.close();
  await sink.close();
  await pool.end();
  const result: ConsumerProcessResult = {
    health: running.health(),
    cpuMs: (used.user + used.system) / 1000,
    eventLoopUtilization: loop.utilization,
  };
  sendToParent({ type: 'result', result });
});
