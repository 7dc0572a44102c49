import type pg from 'pg';
import { CHECKPOINTS } from '../contract/checkpoints.ts';

/*
 * Per-flow views of integration_events. pattern_flow_analysis (spec 000) groups by flow_id, symbol
 * and pattern_name, so one flow whose rejected message lacked a field shows as two rows; these
 * queries group by flow_id alone and keep only pattern flows (the producer's heartbeats carry a
 * flow_id too, spec 001 §2).
 */
const patternFlows = (filter: string) => `
  SELECT flow_id,
         min(timestamp) AS start_time,
         max(timestamp) AS end_time,
         extract(epoch FROM max(timestamp) - min(timestamp)) * 1000 AS total_latency_ms,
         max(symbol) AS symbol,
         max(pattern_name) AS pattern_name,
         array_agg(checkpoint ORDER BY timestamp, id) AS flow_path,
         min(timestamp) FILTER (WHERE checkpoint = '${CHECKPOINTS.patternPublished}') AS published,
         min(timestamp) FILTER (WHERE checkpoint = '${CHECKPOINTS.eventReceived}') AS received,
         min(timestamp) FILTER (WHERE checkpoint = '${CHECKPOINTS.eventParsed}') AS parsed,
         min(timestamp) FILTER (WHERE checkpoint = '${CHECKPOINTS.websocketDelivered}') AS delivered,
         (array_agg(details ORDER BY timestamp DESC) FILTER (WHERE checkpoint = '${CHECKPOINTS.eventRejected}'))[1] AS rejection
    FROM integration_events
   WHERE flow_id IS NOT NULL AND event_type = 'pattern_detected' AND ${filter}
   GROUP BY flow_id`;
/**
 * The same flows with their checkpoint times only: what counts and hop latencies need, without sorting
 * each flow's path and details (a third of the time at 1,000 events/s: the dashboard reads it each second).
 */
const FLOW_TIMES = `
  SELECT flow_id,
         min(timestamp) AS start_time,
         min(timestamp) FILTER (WHERE checkpoint = '${CHECKPOINTS.patternPublished}') AS published,
         min(timestamp) FILTER (WHERE checkpoint = '${CHECKPOINTS.eventReceived}') AS received,
         min(timestamp) FILTER (WHERE checkpoint = '${CHECKPOINTS.eventParsed}') AS parsed,
         min(timestamp) FILTER (WHERE checkpoint = '${CHECKPOINTS.websocketDelivered}') AS delivered
    FROM integration_events
   WHERE flow_id IS NOT NULL AND event_type = 'pattern_detected' AND timestamp >= $1
   GROUP BY flow_id`;
/** A FLOW_TIMES row with all four checkpoints. */
const COMPLETE =
  'published IS NOT NULL AND received IS NOT NULL AND parsed IS NOT NULL AND delivered IS NOT NULL';

export interface FlowRow {
  readonly flow_id: string;
  readonly start_time: Date;
  readonly end_time: Date;
  readonly total_latency_ms: string;
  readonly symbol: string | null;
  readonly pattern_name: string | null;
  readonly flow_path: string[];
  readonly published: Date | null;
  readonly received: Date | null;
  readonly parsed: Date | null;
  readonly delivered: Date | null;
  readonly rejection: { violations?: { path: string; code: string; hint?: string }[] } | null;
}

export interface FlowWindow {
  /** Only flows that started at or after this time. */
  readonly since: Date;
  /** Flows younger than this may still be in flight (or their checkpoints unwritten): not judged yet. */
  readonly settleMs: number;
  readonly limit: number;
}

const INCOMPLETE_FLOWS = patternFlows(`timestamp >= $1 AND flow_id IN (
  SELECT flow_id FROM (${FLOW_TIMES}) t
   WHERE NOT (${COMPLETE})
     AND start_time < now() - make_interval(secs => $2 / 1000.0)
   ORDER BY start_time DESC LIMIT $3)`);

export async function incompleteFlowRows(db: pg.Pool, w: FlowWindow): Promise<FlowRow[]> {
  const { rows } = await db.query<FlowRow>(
    // Chosen by their times first; only the chosen few have their paths and details gathered.
    `SELECT * FROM (${INCOMPLETE_FLOWS}) f ORDER BY start_time DESC`,
    [w.since, w.settleMs, w.limit],
  );
  return rows;
}

/** These flows' rows in the window, newest first. */
export async function flowRowsById(db: pg.Pool, ids: readonly string[], since: Date): Promise<FlowRow[]> {
  const { rows } = await db.query<FlowRow>(
    `SELECT * FROM (${patternFlows('flow_id = ANY($1::uuid[]) AND timestamp >= $2')}) f ORDER BY start_time DESC`,
    [ids, since],
  );
  return rows;
}

export interface FlowCounts {
  readonly total: number;
  readonly complete: number;
  readonly incomplete: number;
}

export async function flowCounts(db: pg.Pool, w: FlowWindow): Promise<FlowCounts> {
  const { rows } = await db.query<{ total: string; complete: string }>(
    `SELECT count(*) AS total,
            count(*) FILTER (WHERE ${COMPLETE}) AS complete
       FROM (${FLOW_TIMES}) f WHERE start_time < now() - make_interval(secs => $2 / 1000.0)`,
    [w.since, w.settleMs],
  );
  const total = Number(rows[0]?.total ?? 0);
  const complete = Number(rows[0]?.complete ?? 0);
  return { total, complete, incomplete: total - complete };
}

export interface HopPercentiles {
  readonly hop: string;
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

const hopSql = (name: string, from: string, to: string) => `
    SELECT '${name}' AS hop, count(*) AS count,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY ms) AS p90,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
           max(ms) AS max
      FROM (SELECT extract(epoch FROM ${to} - ${from}) * 1000 AS ms FROM flows WHERE ${from} IS NOT NULL AND ${to} IS NOT NULL) h`;
/** Each hop's latencies over a relation `flows` of FLOW_TIMES rows. */
const HOPS = [
  hopSql('published→received', 'published', 'received'),
  hopSql('received→parsed', 'received', 'parsed'),
  hopSql('parsed→delivered', 'parsed', 'delivered'),
  hopSql('published→delivered', 'published', 'delivered'),
].join(' UNION ALL ');

interface HopRow {
  readonly hop: string;
  readonly count: string | number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: string | number | null;
}
const hopPercentilesOf = (rows: readonly HopRow[]): HopPercentiles[] =>
  rows.map((r) => ({
    hop: r.hop,
    count: Number(r.count),
    p50: r.p50,
    p90: r.p90,
    p99: r.p99,
    max: r.max === null ? null : Number(r.max),
  }));

/** Latency of each hop, in ms, from the checkpoint times (published → received → parsed → delivered). */
export async function hopPercentiles(db: pg.Pool, since: Date): Promise<HopPercentiles[]> {
  const { rows } = await db.query<HopRow>(`WITH flows AS (${FLOW_TIMES}) ${HOPS}`, [since]);
  return hopPercentilesOf(rows);
}

export interface WindowFlows {
  /** Of the flows old enough to judge. */
  readonly counts: FlowCounts;
  /** Of every flow in the window. */
  readonly hops: HopPercentiles[];
  /** The newest incomplete ones, newest first (at most `limit`). */
  readonly incompleteIds: string[];
}

/**
 * Counts, hop latencies and the newest incomplete flows of one window from one grouping of its rows:
 * the dashboard asks each second, and three groupings of the same rows cost PostgreSQL three times the CPU
 * on the cores the pipeline runs on.
 */
export async function windowFlows(db: pg.Pool, w: FlowWindow): Promise<WindowFlows> {
  const { rows } = await db.query<{
    total: string;
    complete: string;
    incomplete_ids: string[];
    hops: HopRow[] | null;
  }>(
    `WITH flows AS MATERIALIZED (${FLOW_TIMES}),
          judged AS (SELECT * FROM flows WHERE start_time < now() - make_interval(secs => $2 / 1000.0))
     SELECT (SELECT count(*) FROM judged) AS total,
            (SELECT count(*) FROM judged WHERE ${COMPLETE}) AS complete,
            ARRAY(SELECT flow_id::text FROM judged WHERE NOT (${COMPLETE}) ORDER BY start_time DESC LIMIT $3) AS incomplete_ids,
            (SELECT json_agg(h) FROM (${HOPS}) h) AS hops`,
    [w.since, w.settleMs, w.limit],
  );
  const r = rows[0]!;
  const total = Number(r.total);
  const complete = Number(r.complete);
  return {
    counts: { total, complete, incomplete: total - complete },
    hops: hopPercentilesOf(r.hops ?? []),
    incompleteIds: r.incomplete_ids,
  };
}

export interface RejectionRow {
  readonly at: Date;
  readonly flowId: string | null;
  readonly violations: { path: string; code: string; hint?: string }[];
}

/** The newest EVENT_REJECTED checkpoints since `since`, with the violations the consumer stored. */
export async function latestRejections(db: pg.Pool, since: Date, limit: number): Promise<RejectionRow[]> {
  const { rows } = await db.query<{ at: Date; flow_id: string | null; details: FlowRow['rejection'] }>(
    `SELECT timestamp AS at, flow_id, details FROM integration_events
      WHERE checkpoint = '${CHECKPOINTS.eventRejected}' AND timestamp >= $1 ORDER BY timestamp DESC LIMIT $2`,
    [since, limit],
  );
  return rows.map((r) => ({ at: r.at, flowId: r.flow_id, violations: r.details?.violations ?? [] }));
}

export interface ReconnectRow {
  readonly at: Date;
  readonly down_ms: number;
}

/** When the consumer reconnected to Redis, and how long it had been down (REDIS_RECONNECTED). */
export async function reconnections(db: pg.Pool, since: Date): Promise<ReconnectRow[]> {
  const { rows } = await db.query<{ at: Date; down_ms: string }>(
    `SELECT timestamp AS at, (details ->> 'down_ms') AS down_ms FROM integration_events
      WHERE checkpoint = '${CHECKPOINTS.redisReconnected}' AND timestamp >= $1 ORDER BY timestamp`,
    [since],
  );
  return rows.map((r) => ({ at: r.at, down_ms: Number(r.down_ms) }));
}

/** One flow as the analysis sees it, or undefined when nothing was recorded for it. */
export async function flowRow(db: pg.Pool, flowId: string): Promise<FlowRow | undefined> {
  const { rows } = await db.query<FlowRow>(patternFlows('flow_id = $1'), [flowId]);
  return rows[0];
}
