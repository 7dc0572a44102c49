import { SOURCE_SYSTEMS, type Checkpoint, type IntegrationEventType } from '../contract/checkpoints.ts';
import type { CheckpointRecord } from '../tracking/checkpoint-record.ts';

/** A consumer checkpoint with the fields not given set to null. */
export function consumerCheckpoint(
  at: number,
  eventType: IntegrationEventType,
  checkpoint: Checkpoint,
  fields: Partial<Omit<CheckpointRecord, 'at' | 'eventType' | 'checkpoint' | 'source'>> = {},
): CheckpointRecord {
  return {
    at,
    eventType,
    checkpoint,
    source: SOURCE_SYSTEMS.consumer,
    flowId: fields.flowId ?? null,
    channel: fields.channel ?? null,
    symbol: fields.symbol ?? null,
    pattern: fields.pattern ?? null,
    confidence: fields.confidence ?? null,
    userCount: fields.userCount ?? null,
    latencyMs: fields.latencyMs ?? null,
    details: fields.details ?? null,
    ...(fields.message === undefined ? {} : { message: fields.message }),
  };
}
