import type { AddressInfo } from 'node:net';
import type { HarnessConfig } from '../config/load-config.ts';
import { createConsumer, DEFAULT_CONSUMER, type Consumer } from '../consumer/consumer.ts';
import { createPool } from '../db/pools.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { systemClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { createTrackingSink } from '../tracking/tracking-sink.ts';

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
  const consumer = createConsumer(
    { redisUrl: urls.redisUrl, sink, clock: systemClock, logger },
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
  return {
    consumer,
    address,
    close: async () => {
      await consumer.close();
      await sink.close();
      await pool?.end();
    },
  };
}
