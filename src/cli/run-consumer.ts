import type { AddressInfo } from 'node:net';
import type { HarnessConfig } from '../config/load-config.ts';
import { createConsumer, DEFAULT_CONSUMER, type Consumer } from '../consumer/consumer.ts';
import { createPool } from '../db/pools.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { systemClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { createTrackingSink } from '../consumer/tracking-sink.ts';
import { DEFAULT_ERROR_STORE } from '../consumer/errors/error-store.ts';
import { insertErrors } from '../db/error-logs.ts';
import { startRetentionScheduler } from '../bus/retention.ts';

/** A consumer wired as the config says (tracking sink, port, heartbeat), with its own pool. */
export async function runConsumer(
  config: HarnessConfig,
  urls: { redisUrl: string; databaseUrl: string | undefined },
  logger: Logger,
  port = config.consumer.port,
): Promise<{ consumer: Consumer; address: AddressInfo; close: () => Promise<void> }> {
  const pool =
    config.tracking.enabled && urls.databaseUrl !== undefined
      ? createPool(
          urls.databaseUrl,
          { max: 2, asyncCommit: true, applicationName: 'tickstock-consumer' },
          logger,
        )
      : undefined;
  const sink = createTrackingSink(config.tracking, pool, logger);
  // error_logs is not tracking: errors are stored whatever the switch says (spec 002 keeps error_logs).
  const errorsPool =
    urls.databaseUrl === undefined
      ? undefined
      : createPool(
          urls.databaseUrl,
          { max: 4, asyncCommit: false, applicationName: 'tickstock-consumer-errors' },
          logger,
        );
  const e = config.errors;
  const consumer = createConsumer(
    {
      redisUrl: urls.redisUrl,
      sink,
      clock: systemClock,
      logger,
      errors: {
        writer: errorsPool === undefined ? undefined : (rows) => insertErrors(errorsPool, rows),
        store: { ...DEFAULT_ERROR_STORE, memoryLimit: e.memoryLimit, spillPath: e.spillPath },
        fileLog: e.fileLog,
        db: errorsPool,
        broadcastPerSecond: e.broadcastPerSecond,
        thresholds: e.thresholds,
        adminToken: e.adminToken,
        apiCacheMs: e.apiCacheMs,
      },
    },
    {
      ...DEFAULT_CONSUMER,
      host: config.consumer.host,
      port,
      heartbeatIntervalMs: config.consumer.heartbeatIntervalMs,
    },
  );
  const address = await consumer.start().catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE'
      ? new HarnessError(
          'CONSUMER_PORT_IN_USE',
          `Port ${port} on ${config.consumer.host} is in use.`,
          'Set CONSUMER_PORT to a free port (0 picks one).',
          { cause: error },
        )
      : error;
  });
  // Spec 003's daily retention cleanup runs beside the consumer, as its cleanup service does beside the app.
  const retention =
    errorsPool === undefined
      ? undefined
      : startRetentionScheduler(
          { db: errorsPool, clock: systemClock, logger },
          {
            retentionDays: config.events.retentionDays,
            batchSize: config.events.cleanupBatchSize,
            at: config.events.cleanupAt,
          },
        );
  return {
    consumer,
    address,
    close: async () => {
      await retention?.stop();
      await consumer.close();
      await sink.close();
      await pool?.end();
      await errorsPool?.end();
    },
  };
}
