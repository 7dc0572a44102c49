import type pg from 'pg';

export interface EventRow {
  readonly id: number;
  readonly channel: string;
  readonly event_type: string;
  readonly source: string | null;
  readonly correlation_id: string | null;
  readonly data: unknown;
  readonly created_at: Date;
}

export interface EventFilter {
  readonly channel?: string;
  readonly eventType?: string;
  readonly source?: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly limit: number;
}

const COLUMNS = 'id, channel, event_type, source, correlation_id, data, created_at';

/** Spec 003's query service: events by channel, type, source and time range, newest first. */
export async function findEvents(db: pg.Pool, f: EventFilter): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT ${COLUMNS} FROM events
      WHERE ($1::text IS NULL OR channel = $1) AND ($2::text IS NULL OR event_type = $2)
        AND ($3::text IS NULL OR source = $3)
        AND ($4::timestamptz IS NULL OR created_at >= $4) AND ($5::timestamptz IS NULL OR created_at < $5)
      ORDER BY created_at DESC, id DESC LIMIT $6`,
    [f.channel ?? null, f.eventType ?? null, f.source ?? null, f.since ?? null, f.until ?? null, f.limit],
  );
  return rows;
}

/** Every event of one correlation id, in the order they happened: a flow. */
export async function traceCorrelation(db: pg.Pool, correlationId: string): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT ${COLUMNS} FROM events WHERE correlation_id = $1 ORDER BY created_at, id`,
    [correlationId],
  );
  return rows;
}

/** The containment search; exported so that a test can EXPLAIN exactly this statement. */
export const SEARCH_SQL = `SELECT ${COLUMNS} FROM events WHERE data @> $1::jsonb ORDER BY created_at DESC, id DESC LIMIT $2`;

/** Events whose data contains `fragment` (JSONB @>, served by the GIN index on data). */
export async function searchEvents(db: pg.Pool, fragment: object, limit: number): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(SEARCH_SQL, [JSON.stringify(fragment), limit]);
  return rows;
}

export interface EventStatistics {
  readonly since: string;
  readonly byChannel: Record<string, number>;
  readonly byType: Record<string, number>;
  readonly total: number;
  /** Pattern flows seen and those that reached WEBSOCKET_DELIVERED. */
  readonly flows: {
    readonly total: number;
    readonly complete: number;
    readonly completionRate: number | null;
  };
}

/** Volume by channel and type, and the flow completion rate (spec 003's health queries). */
export async function eventStatistics(db: pg.Pool, since: Date): Promise<EventStatistics> {
  const { rows } = await db.query<{ kind: string; key: string; n: string }>(
    `SELECT 'channel' AS kind, channel AS key, count(*) AS n FROM events WHERE created_at >= $1 GROUP BY channel
     UNION ALL
     SELECT 'type', event_type, count(*) FROM events WHERE created_at >= $1 GROUP BY event_type
     UNION ALL
     SELECT 'flows', 'total', count(DISTINCT correlation_id) FROM events
      WHERE created_at >= $1 AND correlation_id IS NOT NULL AND data ->> 'event_type' = 'pattern_detected'
     UNION ALL
     SELECT 'flows', 'complete', count(DISTINCT correlation_id) FROM events
      WHERE created_at >= $1 AND event_type = 'checkpoint.websocket_delivered'`,
    [since],
  );
  const pick = (kind: string) =>
    Object.fromEntries(rows.filter((r) => r.kind === kind).map((r) => [r.key, Number(r.n)]));
  const byChannel = pick('channel');
  const flows = pick('flows');
  const total = flows['total'] ?? 0;
  const complete = flows['complete'] ?? 0;
  return {
    since: since.toISOString(),
    byChannel,
    byType: pick('type'),
    total: Object.values(byChannel).reduce((a, b) => a + b, 0),
    flows: { total, complete, completionRate: total === 0 ? null : complete / total },
  };
}
