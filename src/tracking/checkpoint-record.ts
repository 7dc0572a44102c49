import type { Checkpoint, IntegrationEventType } from '../contract/checkpoints.ts';

/** One checkpoint as it happened; `at` is when (epoch ms), not when it is written. */
export interface CheckpointRecord {
  readonly at: number;
  readonly flowId: string | null;
  readonly eventType: IntegrationEventType;
  readonly source: string;
  readonly checkpoint: Checkpoint;
  readonly channel: string | null;
  readonly symbol: string | null;
  readonly pattern: string | null;
  readonly confidence: number | null;
  readonly userCount: number | null;
  readonly latencyMs: number | null;
  readonly details: Readonly<Record<string, unknown>> | null;
  /** The received message itself (EVENT_RECEIVED of a valid message), for sinks that keep payloads. */
  readonly message?: unknown;
}

export interface SinkStats {
  /** Waiting to be written. */
  readonly buffered: number;
  readonly written: number;
  /** Dropped because the buffer was full (the database was down or too slow for too long). */
  readonly dropped: number;
  /** Refused by the database as data (a value it cannot store); the rest of their batch was written. */
  readonly refused: number;
  readonly failedWrites: number;
}

/** Where checkpoints go. `record` never blocks and never throws: it sits on the delivery path. */
export interface CheckpointSink {
  record(row: CheckpointRecord): void;
  /** Resolves when everything recorded before the call is written, or rejects after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  stats(): SinkStats;
  /** Stops taking rows; waits at most `timeoutMs` (the sink's own bound when not given) for the rest. */
  close(timeoutMs?: number): Promise<void>;
}
