import type pg from 'pg';
import type { CheckpointRecord } from '../tracking/checkpoint-record.ts';
import { jsonForPostgres, textForPostgres } from './postgres-text.ts';

// Column limits of integration_events (spec 000): longer values from a bad message are cut, not refused;
// a NUL, valid in a JSON string, is scrubbed (a schema-valid symbol or pattern may carry one).
const cut = (value: string | null, max: number): string | null =>
  value === null ? null : textForPostgres(value.slice(0, max));

/** Many checkpoints in one statement: one array per column, unnested server-side. */
export async function insertIntegrationEvents(
  db: pg.Pool | pg.ClientBase,
  rows: readonly CheckpointRecord[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO integration_events
       (timestamp, flow_id, event_type, source_system, checkpoint, channel, symbol, pattern_name,
        confidence, user_count, latency_ms, details)
     SELECT to_timestamp(t / 1000.0), f, e, s, c, ch, sy, p, conf, u, l, d
       FROM unnest($1::float8[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::text[], $9::numeric[], $10::int[], $11::numeric[], $12::jsonb[])
         AS r(t, f, e, s, c, ch, sy, p, conf, u, l, d)`,
    [
      rows.map((r) => r.at),
      rows.map((r) => r.flowId),
      rows.map((r) => cut(r.eventType, 50)),
      rows.map((r) => cut(r.source, 50)),
      rows.map((r) => cut(r.checkpoint, 50)),
      rows.map((r) => cut(r.channel, 100)),
      rows.map((r) => cut(r.symbol, 20)),
      rows.map((r) => cut(r.pattern, 50)),
      rows.map((r) => (r.confidence !== null && Number.isFinite(r.confidence) ? r.confidence : null)),
      rows.map((r) => r.userCount),
      rows.map((r) => (r.latencyMs !== null && Number.isFinite(r.latencyMs) ? r.latencyMs : null)),
      rows.map((r) => jsonForPostgres(r.details)),
    ],
  );
}

/** Each checkpoint a flow reached, with its time in epoch ms (first of each, if written twice). */
export interface FlowCheckpoints {
  readonly flow_id: string;
  readonly checkpoints: Readonly<Record<string, number>>;
}

/** The checkpoints of these flows, one row per flow that has any (a load run's ledger). */
export async function flowCheckpoints(db: pg.Pool, flowIds: readonly string[]): Promise<FlowCheckpoints[]> {
  if (flowIds.length === 0) return [];
  const { rows } = await db.query<FlowCheckpoints>(
    `SELECT flow_id::text AS flow_id,
            jsonb_object_agg(checkpoint, ms) AS checkpoints
       FROM (SELECT flow_id, checkpoint, min(extract(epoch FROM timestamp) * 1000)::float8 AS ms
               FROM integration_events
              WHERE flow_id = ANY($1::uuid[])
              GROUP BY flow_id, checkpoint) c
      GROUP BY flow_id`,
    [flowIds],
  );
  return rows;
}
