import type pg from 'pg';
import type { TrackingConfig } from '../config/load-config.ts';
import { insertIntegrationEvents } from '../db/integration-events.ts';
import type { Logger } from '../shared/logger.ts';
import { BatchingSink } from './batching-sink.ts';
import type { CheckpointSink } from './checkpoint-record.ts';
import { LogSink } from './log-sink.ts';

/** The sink the tracking switch asks for: batched rows in integration_events, or log lines only. */
export function createTrackingSink(
  tracking: TrackingConfig,
  pool: pg.Pool | undefined,
  logger: Logger,
): CheckpointSink {
  if (!tracking.enabled || pool === undefined) return new LogSink(logger);
  return new BatchingSink((rows) => insertIntegrationEvents(pool, rows), logger, tracking.batching);
}
