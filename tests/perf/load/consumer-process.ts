/* The consumer under load, in its own process: tracking on (batched rows) or off (log lines only). */
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createConsumer, DEFAULT_CONSUMER } from '../../../src/consumer/consumer.ts';
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
const consumer = createConsumer(
  { redisUrl: config.redisUrl, sink, clock: systemClock, logger },
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
  const result: ConsumerProcessResult = {
    health: consumer.health(),
    cpuMs: (used.user + used.system) / 1000,
    eventLoopUtilization: loop.utilization,
  };
  sendToParent({ type: 'result', result });
});
