/* The consumer under load, in its own process: tracking on (batched rows) or off (log lines only). */
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import {
  createConsumer,
  DEFAULT_CONSUMER,
  type ErrorMonitoringDeps,
} from '../../../src/consumer/consumer.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/consumer/errors/alert-rules.ts';
import { DEFAULT_ERROR_STORE } from '../../../src/consumer/errors/error-store.ts';
import { insertErrors } from '../../../src/db/error-logs.ts';
import { insertIntegrationEvents } from '../../../src/db/integration-events.ts';
import { createPool } from '../../../src/db/pools.ts';
import { systemClock } from '../../../src/shared/clock.ts';
import { BatchingSink, DEFAULT_BATCHING } from '../../../src/tracking/batching-sink.ts';
import type { CheckpointSink } from '../../../src/tracking/checkpoint-record.ts';
import { LogSink } from '../../../src/tracking/log-sink.ts';
import { childConfig, onStop, sendToParent } from './ipc.ts';

export interface ConsumerProcessConfig {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly tracking: 'integration_events' | 'log-only';
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
const pool = createPool(
  config.databaseUrl,
  { max: 2, asyncCommit: true, applicationName: 'load-consumer' },
  logger,
);
const sink: CheckpointSink =
  config.tracking === 'log-only'
    ? new LogSink(logger)
    : new BatchingSink((rows) => insertIntegrationEvents(pool, rows), logger, DEFAULT_BATCHING);
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
const cpu = process.cpuUsage();
const elu = performance.eventLoopUtilization();
sendToParent({ type: 'ready', url: consumer.url() });
onStop(async () => {
  const used = process.cpuUsage(cpu);
  const loop = performance.eventLoopUtilization(elu);
  await consumer.close();
  await sink.close();
  await pool.end();
  await errorsPool.end();
  const result: ConsumerProcessResult = {
    health: consumer.health(),
    cpuMs: (used.user + used.system) / 1000,
    eventLoopUtilization: loop.utilization,
  };
  sendToParent({ type: 'result', result });
});
