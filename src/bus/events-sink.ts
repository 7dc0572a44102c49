import type pg from 'pg';
import type { Logger } from '../shared/logger.ts';
import { BatchingSink, type BatchingSinkOptions } from '../tracking/batching-sink.ts';
import type { CheckpointRecord } from '../tracking/checkpoint-record.ts';
import { publishEvents, type BusEvent } from './event-publisher.ts';

/** The bus channel of checkpoints that did not come through a Redis channel (heartbeats, reconnections). */
export const INTEGRATION_CHANNEL = 'integration';

/** A checkpoint as a spec 003 event: the flow_id is the correlation id, the rest goes in `data`. */
export function checkpointEvent(row: CheckpointRecord): BusEvent {
  return {
    channel: row.channel ?? INTEGRATION_CHANNEL,
    eventType: `checkpoint.${row.checkpoint.toLowerCase()}`,
    source: row.source,
    correlationId: row.flowId,
    at: row.at,
    data: {
      checkpoint: row.checkpoint,
      event_type: row.eventType,
      symbol: row.symbol,
      pattern: row.pattern,
      confidence: row.confidence,
      user_count: row.userCount,
      latency_ms: row.latencyMs,
      ...(row.details === null ? {} : { details: row.details }),
      ...(row.message === undefined ? {} : { message: row.message }),
    },
  };
}

/** Checkpoints (and, on EVENT_RECEIVED, the message itself) into the events bus, batched off the delivery path. */
export function createEventsSink(db: pg.Pool, logger: Logger, options: BatchingSinkOptions): BatchingSink {
  // Retries are the batching sink's (with backoff); flowless checkpoints stay uncorrelated (null).
  const write = async (rows: readonly CheckpointRecord[]): Promise<void> => {
    await publishEvents(db, rows.map(checkpointEvent), { attempts: 1, backoffMs: 0 });
  };
  return new BatchingSink(write, logger, options);
}
