import type pg from 'pg';

/** One stored error with what the list leaves out: its whole message, traceback and context. */
export interface ErrorDetail {
  readonly id: string;
  readonly type: string | null;
  readonly message: string | null;
  readonly traceback: string | null;
  readonly severity: string;
  readonly category: string | null;
  readonly component: string | null;
  readonly operation: string | null;
  readonly symbol: string | null;
  readonly context: unknown;
  readonly timestamp: string;
}

/** The stored error `errorId`, or undefined when none is stored under it. */
export async function errorDetail(db: pg.Pool, errorId: string): Promise<ErrorDetail | undefined> {
  const { rows } = await db.query<ErrorDetail>(
    `SELECT error_id AS id, error_type AS type, error_message AS message, error_traceback AS traceback,
            severity, category, component, operation, symbol, context,
            to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS timestamp
       FROM error_logs WHERE error_id = $1`,
    [errorId],
  );
  return rows[0];
}
