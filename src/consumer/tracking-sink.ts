import type pg from 'pg';
import { createEventsSink } from '../bus/events-sink.ts';
import { insertIntegrationEvents } from '../db/integration-events.ts';
import type { Logger } from '../shared/logger.ts';
import { BatchingSink, type BatchingSinkOptions } from '../tracking/batching-sink.ts';
import type { CheckpointSink } from '../tracking/checkpoint-record.ts';
import { CompositeSink } from '../tracking/composite-sink.ts';
import { LogSink } from '../tracking/log-sink.ts';

export const TRACKING_SINKS = ['integration_events', 'events', 'both'] as const;
export type TrackingSinkChoice = (typeof TRACKING_SINKS)[number];

export interface TrackingOptions {
  /** ENABLE_INTEGRATION_TRACKING: false writes no checkpoint rows, only structured log lines (spec 002). */
  readonly enabled: boolean;
  /** TRACKING_SINK: where checkpoints go when tracking is on. */
  readonly sink: TrackingSinkChoice;
  readonly batching: BatchingSinkOptions;
  /** CHECKPOINT_SPILL_PATH: integration_events rows not written at close, written at the next start. */
  readonly spillPath?: string;
}

/**
 * The sink the tracking switch asks for: batched rows in integration_events, the events bus, or both;
 * with tracking off (or no database), structured log lines only (spec 002 Phase 4).
 */
export function createTrackingSink(
  tracking: TrackingOptions,
  pool: pg.Pool | undefined,
  logger: Logger,
): CheckpointSink {
  if (!tracking.enabled || pool === undefined) return new LogSink(logger);
  const [rowsSpill, eventsSpill] = spillPathsOf(tracking);
  const rows = () =>
    new BatchingSink((batch) => insertIntegrationEvents(pool, batch), logger, {
      ...tracking.batching,
      spillPath: rowsSpill,
    });
  const events = () => createEventsSink(pool, logger, { ...tracking.batching, spillPath: eventsSpill });
  switch (tracking.sink) {
    case 'integration_events':
      return rows();
    case 'events':
      return events();
    case 'both':
      return new CompositeSink([rows(), events()]);
  }
}

/**
 * The spill files of the sinks TRACKING_SINK names: integration_events rows in CHECKPOINT_SPILL_PATH,
 * events-bus rows there too when alone, else beside it (`….events.jsonl`): one writer per file.
 */
export function spillPathsOf(tracking: Pick<TrackingOptions, 'sink' | 'spillPath'>): (string | undefined)[] {
  const path = tracking.spillPath;
  if (path === undefined) return [undefined, undefined];
  switch (tracking.sink) {
    case 'integration_events':
      return [path, undefined];
    case 'events':
      return [undefined, path];
    case 'both':
      return [path, path.replace(/(\.jsonl)?$/, '.events.jsonl')];
  }
}
