import { LatencyHistogram, type LatencySummary } from '../shared/latency-histogram.ts';

/** Hops of a pattern flow, measured in-process by the consumer (the database gives the same from rows). */
export const HOPS = [
  'published_to_received',
  'received_to_parsed',
  'parsed_to_delivered',
  'published_to_delivered',
] as const;
export type Hop = (typeof HOPS)[number];

export interface ConsumerCounters {
  readonly events_received: number;
  readonly events_processed: number;
  readonly events_forwarded: number;
  readonly events_rejected: number;
  /** Rejected pattern messages counted but not written as checkpoints (past REJECTED_CHECKPOINTS_PER_SECOND). */
  readonly rejected_not_recorded: number;
  /** Messages left to the other consumers of a group (CONSUMER_SHARD), before any work. */
  readonly other_shards: number;
  readonly connection_errors: number;
  readonly reconnections: number;
  readonly last_event_time: number | null;
}

export class ConsumerStats {
  eventsReceived = 0;
  eventsProcessed = 0;
  eventsForwarded = 0;
  eventsRejected = 0;
  otherShards = 0;
  rejectedNotRecorded = 0;
  connectionErrors = 0;
  reconnections = 0;
  lastEventTime: number | null = null;
  readonly hops = new Map<Hop, LatencyHistogram>(HOPS.map((h) => [h, new LatencyHistogram()]));

  recordHop(hop: Hop, ms: number): void {
    this.hops.get(hop)!.record(ms);
  }

  counters(): ConsumerCounters {
    return {
      events_received: this.eventsReceived,
      events_processed: this.eventsProcessed,
      events_forwarded: this.eventsForwarded,
      events_rejected: this.eventsRejected,
      rejected_not_recorded: this.rejectedNotRecorded,
      other_shards: this.otherShards,
      connection_errors: this.connectionErrors,
      reconnections: this.reconnections,
      last_event_time: this.lastEventTime,
    };
  }

  hopSummaries(): Record<Hop, LatencySummary> {
    return Object.fromEntries(HOPS.map((h) => [h, this.hops.get(h)!.summary()])) as Record<
      Hop,
      LatencySummary
    >;
  }
}
