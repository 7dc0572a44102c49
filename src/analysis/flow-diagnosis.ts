import type pg from 'pg';
import { CHECKPOINTS, type Checkpoint } from '../contract/checkpoints.ts';
import {
  flowRowsById,
  incompleteFlowRows,
  reconnections,
  type FlowRow,
  type FlowWindow,
  type ReconnectRow,
} from './flow-queries.ts';

export interface IncompleteFlow {
  readonly flowId: string;
  readonly symbol: string | null;
  readonly pattern: string | null;
  readonly startedAt: Date;
  readonly path: readonly string[];
  /** The first checkpoint of spec 000's flow that is missing. */
  readonly missing: Checkpoint;
  /** Spec 000's "Missing Checkpoints" reading of it, with what we know more. */
  readonly diagnosis: string;
}

function lostInGap(startedAt: Date, gaps: readonly ReconnectRow[]): ReconnectRow | undefined {
  const t = startedAt.getTime();
  // The checkpoint clock and the consumer's may differ slightly: allow a second either side.
  return gaps.find((g) => t >= g.at.getTime() - g.down_ms - 1000 && t <= g.at.getTime() + 1000);
}

export type Rejection = NonNullable<FlowRow['rejection']>;

// One line per flow: a hint's first clause is its fix ("Rename data.pattern_name to data.pattern"), the rest why.
const shortFix = (hint: string): string => hint.split(': ')[0] ?? hint;

/** "rejected by consumer: $.data.pattern MISSING_FIELD (Rename …)", from the stored EVENT_REJECTED details. */
export function rejectedText(rejection: Rejection): string {
  const [first, ...more] = rejection.violations ?? [];
  if (first === undefined) return 'rejected by consumer (no violations recorded)';
  const fix = first.hint ? ` (${shortFix(first.hint)})` : '';
  return `rejected by consumer: ${first.path} ${first.code}${fix}${more.length > 0 ? `, and ${more.length} more` : ''}`;
}

/**
 * Where a flow stopped and why, following spec 000's troubleshooting list. A stored rejection comes
 * first: it is the cause, whatever else is missing (a producer that records nothing shows no PATTERN_PUBLISHED).
 */
export function diagnose(
  row: FlowRow,
  gaps: readonly ReconnectRow[],
): Pick<IncompleteFlow, 'missing' | 'diagnosis'> {
  if (row.rejection !== null && row.parsed === null)
    return { missing: CHECKPOINTS.eventParsed, diagnosis: rejectedText(row.rejection) };
  if (row.published === null)
    return {
      missing: CHECKPOINTS.patternPublished,
      diagnosis:
        'TickStockPL not publishing (no PATTERN_PUBLISHED): the producer did not record it, because it does not call log_integration_event() or its database write failed',
    };
  if (row.received === null) {
    const gap = lostInGap(row.start_time, gaps);
    return {
      missing: CHECKPOINTS.eventReceived,
      diagnosis:
        gap === undefined
          ? 'Redis connection issue (no EVENT_RECEIVED): no consumer received it; is TickStockAppV2 running and subscribed to tickstock.events.patterns on the same Redis?'
          : `Redis connection issue (no EVENT_RECEIVED): published while the consumer was disconnected from Redis (down ${Math.round(gap.down_ms)} ms, resubscribed at ${gap.at.toISOString()})`,
    };
  }
  if (row.parsed === null)
    return {
      missing: CHECKPOINTS.eventParsed,
      diagnosis: 'Processing error (no EVENT_PARSED): the consumer received it but did not parse it',
    };
  return {
    missing: CHECKPOINTS.websocketDelivered,
    diagnosis:
      'No users connected (no WEBSOCKET_DELIVERED): the event was parsed but no browser was connected',
  };
}

const described = (rows: readonly FlowRow[], gaps: readonly ReconnectRow[]): IncompleteFlow[] =>
  rows.map((row) => ({
    flowId: row.flow_id,
    symbol: row.symbol,
    pattern: row.pattern_name,
    startedAt: row.start_time,
    path: row.flow_path,
    ...diagnose(row, gaps),
  }));

export async function incompleteFlows(db: pg.Pool, window: FlowWindow): Promise<IncompleteFlow[]> {
  const [rows, gaps] = await Promise.all([incompleteFlowRows(db, window), reconnections(db, window.since)]);
  return described(rows, gaps);
}

/** These flows (incomplete ones a window read named), each with where it stopped and why. */
export async function incompleteFlowsById(
  db: pg.Pool,
  ids: readonly string[],
  since: Date,
): Promise<IncompleteFlow[]> {
  if (ids.length === 0) return [];
  const [rows, gaps] = await Promise.all([flowRowsById(db, ids, since), reconnections(db, since)]);
  return described(rows, gaps);
}
