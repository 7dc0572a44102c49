import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../db/checked-out-client.ts';
import { isTransientDbError } from '../shared/transient-db-error.ts';

/** An event of spec 003's bus. */
export interface BusEvent {
  readonly channel: string;
  readonly eventType: string;
  readonly data: unknown;
  readonly source?: string | null;
  /** Links related events; a new one is made when none is given (undefined), none when null. */
  readonly correlationId?: string | null;
  /** When it happened (epoch ms); now when not given. */
  readonly at?: number;
}

export interface PublishedEvent {
  readonly id: number;
  readonly correlationId: string | null;
}

export interface RetryOptions {
  readonly attempts: number;
  readonly backoffMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 3, backoffMs: 50 };

// Limits of the events columns (spec 003): cut, not refused.
const cut = (v: string | null | undefined, max: number): string | null =>
  v === undefined || v === null ? null : v.slice(0, max);
const jsonb = (data: unknown): string => JSON.stringify(data ?? {}).replace(/\\u0000/g, '\\ufffd');

async function insertInTransaction(
  db: pg.Pool,
  events: readonly BusEvent[],
  ids: readonly (string | null)[],
): Promise<number[]> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO events (channel, event_type, source, correlation_id, data, created_at)
       SELECT c, t, s, r, d, to_timestamp(a / 1000.0)
         FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::jsonb[], $6::float8[]) AS e(c, t, s, r, d, a)
       RETURNING id`,
      [
        events.map((e) => cut(e.channel, 50)),
        events.map((e) => cut(e.eventType, 100)),
        events.map((e) => cut(e.source, 100)),
        ids,
        events.map((e) => jsonb(e.data)),
        events.map((e) => e.at ?? Date.now()),
      ],
    );
    return rows.map((r) => r.id);
  });
}

/**
 * Spec 003's EventPublisher: one transaction for the batch (rolled back on any error), correlation ids
 * kept or made, and a bounded retry when the failure is transient (the server restarting, say).
 */
export async function publishEvents(
  db: pg.Pool,
  events: readonly BusEvent[],
  retry: RetryOptions = DEFAULT_RETRY,
): Promise<PublishedEvent[]> {
  if (events.length === 0) return [];
  const ids = events.map((e) => (e.correlationId === undefined ? randomUUID() : e.correlationId));
  for (let attempt = 1; ; attempt += 1) {
    try {
      const rowIds = await insertInTransaction(db, events, ids);
      return rowIds.map((id, i) => ({ id, correlationId: ids[i]! }));
    } catch (error) {
      if (!isTransientDbError(error) || attempt >= retry.attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, retry.backoffMs * 2 ** (attempt - 1)));
    }
  }
}

export async function publishEvent(
  db: pg.Pool,
  event: BusEvent,
  retry: RetryOptions = DEFAULT_RETRY,
): Promise<PublishedEvent> {
  const [published] = await publishEvents(db, [event], retry);
  return published!;
}
