import type { Redis } from 'ioredis';
import type pg from 'pg';
import { CHANNELS } from '../contract/channels.ts';
import type { PatternEvent } from '../contract/schemas/pattern-event.ts';

/**
 * Spec 001 §1 for a batch of events: PATTERN_PUBLISHED through log_integration_event() (its ten
 * arguments, one call per event, one statement per batch on a pooled connection), then PUBLISH.
 */
export async function recordPublished(db: pg.Pool, events: readonly PatternEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `SELECT log_integration_event(f, 'pattern_detected', 'TickStockPL', 'PATTERN_PUBLISHED', $1, s, p, c, NULL, d)
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::numeric[], $6::jsonb[]) AS t(f, s, p, c, d)`,
    [
      CHANNELS.patterns,
      events.map((e) => e.data.flow_id),
      events.map((e) => e.data.symbol),
      events.map((e) => e.data.pattern),
      events.map((e) => e.data.confidence),
      events.map((e) => JSON.stringify({ tier: e.data.tier, timestamp: e.timestamp })),
    ],
  );
}

/** PUBLISHes each message (ioredis pipelines them) and returns the subscriber count Redis reported for each. */
export function publishEvents(redis: Redis, messages: readonly (PatternEvent | string)[]): Promise<number[]> {
  return Promise.all(
    messages.map((m) => redis.publish(CHANNELS.patterns, typeof m === 'string' ? m : JSON.stringify(m))),
  );
}
