/** Log-spaced bucket bounds (ms) for the report's histogram: 1, 2, 5 in each decade from 10 µs to over 1 h. */
export const LATENCY_BOUNDS_MS: readonly number[] = Array.from({ length: 9 }, (_, decade) =>
  [1, 2, 5].map((m) => Number((m * 10 ** (decade - 2)).toPrecision(1))),
).flat();

export interface LatencyBucket {
  readonly fromMs: number;
  readonly toMs: number;
  readonly count: number;
}

/** Counts under each bound as buckets [from, to), from the first non-empty one to the last. */
export function latencyBuckets(counts: readonly number[]): LatencyBucket[] {
  const buckets = LATENCY_BOUNDS_MS.map((toMs, i) => ({
    fromMs: i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!,
    toMs,
    count: counts[i] ?? 0,
  }));
  const first = buckets.findIndex((b) => b.count > 0);
  const last = buckets.findLastIndex((b) => b.count > 0);
  return first < 0 ? [] : buckets.slice(first, last + 1);
}
