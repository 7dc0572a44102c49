import type { HarnessConfig } from '../config/load-config.ts';
import {
  composeConsumer,
  type ComposedConsumer,
  type ConsumerSetup,
  type Unwritten,
} from '../consumer/compose-consumer.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { DEFAULT_CONSUMER } from '../consumer/consumer.ts';
import { DEFAULT_ERROR_STORE } from '../consumer/errors/error-store.ts';
import { systemClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';

/** The consumer as the configuration says: tracking sink, port, heartbeat, error monitoring, retention. */
export function consumerSetup(
  config: HarnessConfig,
  urls: { redisUrl: string; databaseUrl: string | undefined },
  port = config.consumer.port,
): ConsumerSetup {
  const { consumer, errors, events } = config;
  return {
    ...urls,
    consumer: {
      ...DEFAULT_CONSUMER,
      host: consumer.host,
      port,
      heartbeatIntervalMs: consumer.heartbeatIntervalMs,
    },
    tracking: config.tracking,
    errors: {
      store: { ...DEFAULT_ERROR_STORE, memoryLimit: errors.memoryLimit, spillPath: errors.spillPath },
      fileLog: errors.fileLog,
      broadcastPerSecond: errors.broadcastPerSecond,
      thresholds: errors.thresholds,
      adminToken: errors.adminToken,
      apiCacheMs: errors.apiCacheMs,
    },
    retention: {
      retentionDays: events.retentionDays,
      batchSize: events.cleanupBatchSize,
      at: events.cleanupAt,
    },
  };
}

/** A consumer wired as the config says, on its own connections. */
export function runConsumer(
  config: HarnessConfig,
  urls: { redisUrl: string; databaseUrl: string | undefined },
  logger: Logger,
  port?: number,
): Promise<ComposedConsumer> {
  return composeConsumer(consumerSetup(config, urls, port), { logger, clock: systemClock });
}

/** Exit 1 when the consumer took rows it could not write: a run that lost data did not succeed. */
export function failOnUnwritten(unwritten: Unwritten, spillPath: string): void {
  if (unwritten.checkpoints === 0 && unwritten.errors === 0) return;
  throw new HarnessError(
    'CONSUMER_ROWS_UNWRITTEN',
    `Closed with ${unwritten.checkpoints} checkpoints not written and ${unwritten.errors} errors not stored.`,
    `The database was away or refused rows (see the log above); errors kept in ${spillPath} are written at the next start.`,
    { exitCode: ExitCode.problems },
  );
}
