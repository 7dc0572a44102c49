import type { LatencySummary } from '../shared/latency-histogram.ts';
import { secondOf } from './clients/latency-by-second.ts';

/** One second of the measured load, by intended send time (second 0 starts at the first flow's). */
export interface TimelineSecond {
  readonly second: number;
  readonly sent: number;
  /** Flows of this second every client received. */
  readonly delivered: number;
  /** Receipts of this second's flows, all clients together. */
  readonly receipts: number;
  /** publish→client of those receipts; null: none. */
  readonly p50: number | null;
  readonly p99: number | null;
}

/**
 * The run second by second: what was sent (the generator's record), what reached every client (sent
 * less lost) and the latency of the receipts (the workers' per-second histograms, merged).
 */
export function runTimeline(
  flows: readonly { readonly intendedAtMs: number; readonly lost: boolean }[],
  latencyBySecond: ReadonlyMap<number, LatencySummary>,
): TimelineSecond[] {
  const originMs = flows[0]?.intendedAtMs;
  if (originMs === undefined) return [];
  const sent: number[] = [];
  const lost: number[] = [];
  for (const f of flows) {
    const s = secondOf(f.intendedAtMs, originMs);
    sent[s] = (sent[s] ?? 0) + 1;
    if (f.lost) lost[s] = (lost[s] ?? 0) + 1;
  }
  const seconds = Math.max(sent.length, ...[...latencyBySecond.keys()].map((s) => s + 1));
  return Array.from({ length: seconds }, (_, second) => {
    const latency = latencyBySecond.get(second);
    const received = latency !== undefined && latency.count > 0 ? latency : undefined;
    return {
      second,
      sent: sent[second] ?? 0,
      delivered: (sent[second] ?? 0) - (lost[second] ?? 0),
      receipts: received?.count ?? 0,
      p50: received?.p50 ?? null,
      p99: received?.p99 ?? null,
    };
  });
}
