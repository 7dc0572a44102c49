import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { inTransaction } from './checked-out-client.ts';
import { MIGRATIONS_DIR } from './migrate.ts';

export interface PreRemovalChecks {
  readonly totalEvents: number;
  readonly lastEvent: Date | null;
  readonly uniqueFlows: number;
  readonly tableSize: string;
}

/** Spec 002 Phase 1: what integration_events holds before it goes. */
export async function preRemovalChecks(db: pg.Pool): Promise<PreRemovalChecks> {
  const { rows } = await db.query<{ total_events: string; last_event: Date | null; unique_flows: string }>(
    `SELECT COUNT(*) AS total_events, MAX(timestamp) AS last_event, COUNT(DISTINCT flow_id) AS unique_flows FROM integration_events`,
  );
  const size = await db.query<{ table_size: string }>(
    `SELECT pg_size_pretty(pg_total_relation_size('integration_events')) AS table_size`,
  );
  const r = rows[0]!;
  return {
    totalEvents: Number(r.total_events),
    lastEvent: r.last_event,
    uniqueFlows: Number(r.unique_flows),
    tableSize: size.rows[0]!.table_size,
  };
}

/** Spec 002 Phase 3, step 1, in its order: the function, the view, the table; one transaction. */
export const DROP_TRACKING_SQL = [
  'DROP FUNCTION IF EXISTS log_integration_event CASCADE',
  'DROP VIEW IF EXISTS pattern_flow_analysis',
  'DROP TABLE IF EXISTS integration_events',
];

export async function dropTracking(db: pg.Pool): Promise<void> {
  await runInTransaction(db, DROP_TRACKING_SQL);
}

/** The Up section of the integration-tracking migration: table, indexes, view and function again. */
export async function restoreTracking(db: pg.Pool): Promise<void> {
  const sql = readFileSync(`${MIGRATIONS_DIR}/1700000000001_integration-tracking.sql`, 'utf8');
  const up = sql.slice(sql.indexOf('-- Up Migration'), sql.indexOf('-- Down Migration'));
  await runInTransaction(db, [up]);
}

export interface TrackingObjects {
  readonly tableExists: boolean;
  readonly viewExists: boolean;
  readonly functionExists: boolean;
}

/** Spec 002's verification queries (`\dt integration_events`, `\df log_integration_event`, the EXISTS query). */
export async function trackingObjects(db: pg.Pool): Promise<TrackingObjects> {
  const { rows } = await db.query<{ table_exists: boolean; view_exists: boolean; function_exists: boolean }>(
    `SELECT EXISTS (SELECT FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'integration_events') AS table_exists,
            EXISTS (SELECT FROM information_schema.views WHERE table_schema = 'public' AND table_name = 'pattern_flow_analysis') AS view_exists,
            EXISTS (SELECT FROM pg_proc WHERE proname = 'log_integration_event') AS function_exists`,
  );
  const r = rows[0]!;
  return { tableExists: r.table_exists, viewExists: r.view_exists, functionExists: r.function_exists };
}

async function runInTransaction(db: pg.Pool, statements: readonly string[]): Promise<void> {
  await inTransaction(db, async (client) => {
    for (const statement of statements) await client.query(statement);
  });
}
