import type pg from 'pg';
import { traceCorrelation } from '../bus/event-queries.ts';
import { CHECKPOINTS } from '../contract/checkpoints.ts';
import { formatMs } from '../shared/latency-histogram.ts';
import { rejectedText, type Rejection } from './flow-diagnosis.ts';

/** Where checkpoints are kept (TRACKING_SINK): a flow may be in either, or in both. */
export type FlowSink = 'integration_events' | 'events';

export interface TraceStep {
  /** Epoch ms, with the database's microseconds. */
  readonly atMs: number;
  /** The checkpoint (PATTERN_PUBLISHED …), or the bus event type of an event that is not one. */
  readonly name: string;
  readonly source: string | null;
  readonly sinks: readonly FlowSink[];
  /** The hop from the step before; null for the first. */
  readonly deltaMs: number | null;
  readonly details: unknown;
}

export interface FlowTrace {
  readonly flowId: string;
  readonly steps: readonly TraceStep[];
  /** From the first step to the last. */
  readonly totalMs: number | null;
}

type Found = Omit<TraceStep, 'sinks' | 'deltaMs'> & { readonly sink: FlowSink };

async function fromIntegrationEvents(db: pg.Pool, flowId: string): Promise<Found[]> {
  // After `db drop-tracking` the table is gone; the bus may still hold the flow.
  const { rows } = await db.query<{ present: boolean }>(
    `SELECT to_regclass('integration_events') IS NOT NULL AS present`,
  );
  if (!rows[0]?.present) return [];
  const found = await db.query<{
    at_ms: string;
    checkpoint: string;
    source: string | null;
    details: unknown;
  }>(
    `SELECT extract(epoch FROM timestamp) * 1000 AS at_ms, checkpoint, source_system AS source, details
       FROM integration_events WHERE flow_id = $1 ORDER BY timestamp, id`,
    [flowId],
  );
  return found.rows.map((r) => ({
    atMs: Number(r.at_ms),
    name: r.checkpoint,
    source: r.source,
    details: r.details,
    sink: 'integration_events',
  }));
}

async function fromEventsBus(db: pg.Pool, flowId: string): Promise<Found[]> {
  const rows = await traceCorrelation(db, flowId);
  return rows.map((r) => {
    const data = (r.data ?? {}) as { checkpoint?: unknown; details?: unknown };
    return {
      atMs: r.created_at.getTime(),
      name: typeof data.checkpoint === 'string' ? data.checkpoint : r.event_type,
      source: r.source,
      details: data.details ?? null,
      sink: 'events',
    };
  });
}

/**
 * One flow from whichever sink holds it, in time order, with the hop from each step to the next. With
 * TRACKING_SINK=both each checkpoint is in both sinks at the same time: it is shown once, with both named.
 */
export async function traceFlow(db: pg.Pool, flowId: string): Promise<FlowTrace> {
  const [rows, bus] = await Promise.all([fromIntegrationEvents(db, flowId), fromEventsBus(db, flowId)]);
  const merged = new Map<string, Omit<TraceStep, 'deltaMs'>>();
  for (const { sink, ...step } of [...rows, ...bus]) {
    // The bus keeps milliseconds (a JS Date); match on those.
    const key = `${Math.floor(step.atMs)} ${step.name} ${step.source ?? ''}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, sinks: [...seen.sinks, sink] } : { ...step, sinks: [sink] });
  }
  const sorted = [...merged.values()].sort((a, b) => a.atMs - b.atMs);
  const steps = sorted.map((s, i) => ({ ...s, deltaMs: i === 0 ? null : s.atMs - sorted[i - 1]!.atMs }));
  const first = steps[0];
  const last = steps.at(-1);
  return { flowId, steps, totalMs: first && last ? last.atMs - first.atMs : null };
}

export function renderTrace(trace: FlowTrace): string[] {
  if (trace.steps.length === 0)
    return [`flow ${trace.flowId}: nothing recorded in integration_events or in the events bus`];
  const sinks = [...new Set(trace.steps.flatMap((s) => s.sinks))].join(' and ');
  return [
    `flow ${trace.flowId} (from ${sinks})`,
    ...trace.steps.flatMap((s) => [
      `  ${new Date(s.atMs).toISOString()}  ${s.name.padEnd(22)} ${(s.source ?? '-').padEnd(16)} ${s.deltaMs === null ? 'start' : `+${formatMs(s.deltaMs)}`}`,
      ...(s.name === CHECKPOINTS.eventRejected && s.details !== null
        ? [`      ${rejectedText(s.details as Rejection)}`]
        : []),
    ]),
    `${trace.steps.length} step${trace.steps.length === 1 ? '' : 's'}, ${formatMs(trace.totalMs ?? 0)} from first to last`,
  ];
}
