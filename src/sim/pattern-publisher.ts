import { pubSubOf, type PubSubClient } from '../services/pubsub-transport.ts';
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

const text = (m: PatternEvent | string): string => (typeof m === 'string' ? m : JSON.stringify(m));

/**
 * PUBLISHes each message, in order on one connection, the batch in one write (not a pipeline: that
 * allocated more, and GC made the generator late). One outcome per message: a failure (Redis away too
 * long) fails only its own.
 */
export async function publishEventsSettled(
  redis: PubSubClient,
  messages: readonly (PatternEvent | string)[],
): Promise<PromiseSettledResult<number>[]> {
  return Promise.allSettled(pubSubOf(redis).publishEach(CHANNELS.patterns, messages.map(text)));
}

/** As publishEventsSettled, and the subscriber count Redis reported for each; rejects on a failure. */
export async function publishEvents(
  redis: PubSubClient,
  messages: readonly (PatternEvent | string)[],
): Promise<number[]> {
  return (await publishEventsSettled(redis, messages)).map((r) => {
    if (r.status === 'rejected') throw r.reason as Error;
    return r.value;
  });
}
