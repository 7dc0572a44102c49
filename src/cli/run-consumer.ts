import { pipelineReadsOn } from '../analysis/pipeline-reads.ts';
import type { HarnessConfig } from '../config/load-config.ts';
import {
  composeConsumer,
  type ComposedConsumer,
  type ConsumerSetup,
  type Unwritten,
} from '../consumer/compose-consumer.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { DEFAULT_CONSUMER } from '../consumer/consumer-options.ts';
import { DEFAULT_ERROR_STORE } from '../consumer/errors/error-store.ts';
import { spillPathsOf, type TrackingOptions } from '../consumer/tracking-sink.ts';
import { systemClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';

/** Where the consumer's services are; with `redisCluster`, its pub-sub is sharded there. */
export type ConsumerUrls = Pick<ConsumerSetup, 'redisUrl' | 'redisCluster' | 'databaseUrl'>;

/** The consumer as the configuration says: tracking sink, port, heartbeat, error monitoring, retention. */
export function consumerSetup(
  config: HarnessConfig,
  urls: ConsumerUrls,
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
      rejectedCheckpointsPerSecond: consumer.rejectedCheckpointsPerSecond,
      startRetryMs: consumer.startRetryMs,
      closeTimeoutMs: consumer.stopTimeoutMs,
      shard: consumer.shard,
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
  urls: ConsumerUrls,
  logger: Logger,
  port?: number,
): Promise<ComposedConsumer> {
  return composeConsumer(consumerSetup(config, urls, port), {
    logger,
    clock: systemClock,
    pipelineReads: pipelineReadsOn(urls.redisUrl, () => systemClock.now()),
  });
}

/** Exit 1 when the consumer took rows it could not write: a run that lost data did not succeed. */
export function failOnUnwritten(
  unwritten: Unwritten,
  spillPaths: { errors: string; checkpoints: Pick<TrackingOptions, 'sink' | 'spillPath'> },
): void {
  if (unwritten.checkpoints === 0 && unwritten.errors === 0) return;
  const kept = [
    unwritten.errors > 0 ? `errors kept in ${spillPaths.errors}` : undefined,
    unwritten.checkpoints > 0 && spillPaths.checkpoints.spillPath !== undefined
      ? `checkpoints kept in ${spillPathsOf(spillPaths.checkpoints)
          .filter((p) => p !== undefined)
          .join(' and ')}`
      : undefined,
  ].filter((k) => k !== undefined);
  throw new HarnessError(
    'CONSUMER_ROWS_UNWRITTEN',
    `Closed with ${unwritten.checkpoints} checkpoints not written and ${unwritten.errors} errors not stored.`,
    `The database was away or refused rows (see the log above)${kept.length === 0 ? '' : `; ${kept.join(' and ')} are written at the next start`}.`,
    { exitCode: ExitCode.problems },
  );
}
