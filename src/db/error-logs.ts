import type pg from 'pg';
import type { ErrorMessage } from '../contract/schemas/error-message.ts';
import { boundText } from '../shared/bounded-text.ts';
import { jsonForPostgres, textForPostgres } from './postgres-text.ts';

/** An error message as stored: the wire message plus when it arrived (its timestamp when the producer gave none usable). */
export interface ErrorRow {
  readonly message: ErrorMessage;
  readonly receivedAt: number;
}

/** ISO string or Unix seconds on the wire; a zone-less ISO time is UTC (Python's utcnow().isoformat()). */
export function errorTime(timestamp: string | number): Date {
  if (typeof timestamp === 'number') return new Date(timestamp * 1000);
  const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(timestamp) ? timestamp : `${timestamp}Z`;
  return new Date(zoned.replace(' ', 'T'));
}

/**
 * The longest text stored or served per error, in characters (a producer's message can be megabytes):
 * longer ones keep their start and a marker saying how long they were (docs/operations.md).
 */
export const TEXT_BOUND = { message: 4096, traceback: 16_384 } as const;

const cut = (v: string | null | undefined, max: number): string | null =>
  v === undefined || v === null ? null : v.slice(0, max);
const bounded = (v: string | null | undefined, max: number): string | null =>
  v === undefined || v === null ? null : boundText(v, max);

/**
 * Stores a batch in one statement; a repeated error_id (a duplicate delivery) is ignored, so each
 * error is one row however often it arrives. Returns how many rows were new.
 */
export async function insertErrors(db: pg.Pool, rows: readonly ErrorRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const m = rows.map((r) => r.message);
  const result = await db.query(
    `INSERT INTO error_logs (error_id, error_type, error_message, error_traceback, severity, category,
                             component, operation, symbol, context, timestamp)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                          $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::timestamptz[])
     ON CONFLICT (error_id) DO NOTHING`,
    [
      m.map((e) => textForPostgres(e.error_id)),
      m.map((e) => textForPostgres(e.error_type)),
      m.map((e) => textForPostgres(boundText(e.error_message, TEXT_BOUND.message))),
      m.map((e) => textForPostgres(bounded(e.error_traceback, TEXT_BOUND.traceback))),
      m.map((e) => e.severity),
      m.map((e) => e.category),
      m.map((e) => textForPostgres(cut(e.context?.component, 100))),
      m.map((e) => textForPostgres(cut(e.context?.operation, 100))),
      m.map((e) => textForPostgres(cut(e.context?.symbol, 10))),
      m.map((e) => jsonForPostgres(e.context)),
      rows.map((r) => {
        const t = errorTime(r.message.timestamp);
        return Number.isNaN(t.getTime()) ? new Date(r.receivedAt) : t;
      }),
    ],
  );
  return result.rowCount ?? 0;
}

export interface RecentError {
  readonly id: string;
  readonly type: string | null;
  readonly message: string | null;
  readonly severity: string;
  readonly category: string | null;
  readonly symbol: string | null;
  readonly component: string | null;
  readonly timestamp: string;
  /** Only on errors a simulator made up (context.metadata.simulated): the spec's shape otherwise. */
  readonly simulated?: true;
}

/** Spec 004 Phase 4 `/api/errors/recent`: newest first, in the client format. */
export async function recentErrors(db: pg.Pool, limit: number): Promise<RecentError[]> {
  // Rows stored before the bound are cut here too, reading no more of them than is served.
  const { rows } = await db.query<
    Omit<RecentError, 'simulated'> & { message_length: number | null; simulated: boolean }
  >(
    `SELECT error_id AS id, error_type AS type, left(error_message, $2) AS message, length(error_message) AS message_length,
            severity, category, symbol, component,
            coalesce(context -> 'metadata' ->> 'simulated' = 'true', false) AS simulated,
            to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS timestamp
       FROM error_logs ORDER BY error_logs.timestamp DESC LIMIT $1`, // the column (indexed), not the text alias
    [limit, TEXT_BOUND.message],
  );
  return rows.map(({ message_length, simulated, ...row }) => ({
    ...row,
    ...(simulated === true ? { simulated } : {}),
    message: row.message === null ? null : boundText(row.message, TEXT_BOUND.message, message_length ?? 0),
  }));
}

export interface ErrorStatistics {
  readonly timeRange: string;
  readonly bySeverity: Record<string, number>;
  readonly byCategory: Record<string, number>;
  readonly total: number;
}

/** Spec 004 Phase 4 `/api/errors/statistics`. */
export async function errorStatistics(db: pg.Pool, hours: number): Promise<ErrorStatistics> {
  // Whole hours from the counters the triggers keep; the partial first hour from the rows themselves.
  const { rows } = await db.query<{ kind: string; key: string | null; count: string }>(
    `WITH bounds AS (
       SELECT now() - make_interval(hours => $1) AS since,
              date_trunc('hour', now() - make_interval(hours => $1)) + interval '1 hour' AS whole_from),
     recent AS (
       SELECT severity, category, count AS n FROM error_counts_hourly, bounds WHERE hour >= whole_from
       UNION ALL
       SELECT severity, category, 1 FROM error_logs, bounds WHERE timestamp >= since AND timestamp < whole_from)
     SELECT 'severity' AS kind, severity AS key, sum(n) AS count FROM recent GROUP BY severity HAVING sum(n) > 0
     UNION ALL
     SELECT 'category', category, sum(n) FROM recent GROUP BY category HAVING sum(n) > 0`,
    [hours],
  );
  const pick = (kind: string) =>
    Object.fromEntries(rows.filter((r) => r.kind === kind).map((r) => [r.key ?? 'unknown', Number(r.count)]));
  const bySeverity = pick('severity');
  return {
    timeRange: `last_${hours}_hours`,
    bySeverity,
    byCategory: pick('category'),
    total: Object.values(bySeverity).reduce((a, b) => a + b, 0),
  };
}

export interface ErrorHealth {
  readonly status: 'critical' | 'degraded' | 'operational';
  readonly health: 'red' | 'yellow' | 'green';
  readonly criticalErrors: number;
  /** Of the critical ones, those a simulator made up (context.metadata.simulated): not the spec's, ours. */
  readonly simulatedCriticalErrors: number;
  readonly errors: number;
  readonly checkTime: string;
}

/** Spec 004 Phase 4 `/api/errors/health`: the last 5 minutes; any critical is red, more than 10 errors yellow. */
export async function errorHealth(db: pg.Pool): Promise<ErrorHealth> {
  const { rows } = await db.query<{ critical: string; simulated: string; errors: string }>(
    `SELECT count(*) FILTER (WHERE severity = 'critical') AS critical,
            count(*) FILTER (WHERE severity = 'critical' AND context -> 'metadata' ->> 'simulated' = 'true') AS simulated,
            count(*) FILTER (WHERE severity = 'error') AS errors
       FROM error_logs WHERE timestamp >= now() - interval '5 minutes'`,
  );
  const criticalErrors = Number(rows[0]?.critical ?? 0);
  const errors = Number(rows[0]?.errors ?? 0);
  const [status, health] =
    criticalErrors > 0
      ? (['critical', 'red'] as const)
      : errors > 10
        ? (['degraded', 'yellow'] as const)
        : (['operational', 'green'] as const);
  const simulatedCriticalErrors = Number(rows[0]?.simulated ?? 0);
  return {
    status,
    health,
    criticalErrors,
    simulatedCriticalErrors,
    errors,
    checkTime: new Date().toISOString(),
  };
}

/** Where a consumer keeps the errors it stores (a profile's `errorStore`). */
export interface StoredErrorsQuery {
  readonly table: string;
  readonly column: string;
  /** `equals`: the column holds the id; `contains`: the id is somewhere in it (the message). */
  readonly match: 'equals' | 'contains';
}

const likeEscaped = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);
// pg's own escapeIdentifier, without loading the driver's value here (the CLI starts without it).
const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Of these error ids, the ones found in the store: a load run's check that nothing was lost. */
export async function storedErrorIds(
  db: pg.Pool,
  store: StoredErrorsQuery,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  // Names come from a profile (a user's scenario file): quoted, never spliced raw.
  const table = store.table.split('.').map(quoted).join('.');
  const column = quoted(store.column);
  if (store.match === 'equals') {
    const { rows } = await db.query<{ v: string }>(
      `SELECT ${column}::text AS v FROM ${table} WHERE ${column}::text = ANY($1::text[])`,
      [ids],
    );
    return new Set(rows.map((r) => r.v));
  }
  const { rows } = await db.query<{ v: string }>(
    `SELECT ${column}::text AS v FROM ${table} WHERE ${column}::text LIKE ANY($1::text[])`,
    [ids.map((id) => `%${likeEscaped(id)}%`)],
  );
  return new Set(ids.filter((id) => rows.some((r) => r.v.includes(id))));
}
