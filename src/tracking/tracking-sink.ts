import type pg from 'pg';
import { createEventsSink } from '../bus/events-sink.ts';
import type { TrackingConfig } from '../config/load-config.ts';
import { insertIntegrationEvents } from '../db/integration-events.ts';
import type { Logger } from '../shared/logger.ts';
import { BatchingSink } from './batching-sink.ts';
import type { CheckpointSink } from './checkpoint-record.ts';
import { CompositeSink } from './composite-sink.ts';
import { LogSink } from './log-sink.ts';

export const TRACKING_SINKS = ['integration_events', 'events', 'both'] as const;
export type TrackingSinkChoice = (typeof TRACKING_SINKS)[number];

/**
 * The sink the tracking switch asks for: batched rows in integration_events, the events bus, or both;
 * with tracking off (or no database), structured log lines only (spec 002 Phase 4).
 */
export function createTrackingSink(
  tracking: TrackingConfig,
  pool: pg.Pool | undefined,
  logger: Logger,
): CheckpointSink {
  if (!tracking.enabled || pool === undefined) return new LogSink(logger);
  const rows = () =>
    new BatchingSink((batch) => insertIntegrationEvents(pool, batch), logger, tracking.batching);
  switch (tracking.sink) {
    case 'integration_events':
      return rows();
    case 'events':
      return createEventsSink(pool, logger, tracking.batching);
    case 'both':
      return new CompositeSink([rows(), createEventsSink(pool, logger, tracking.batching)]);
  }
}
