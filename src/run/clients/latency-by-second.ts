import { LatencyHistogram, type LatencySummary } from '../../shared/latency-histogram.ts';

/** Seconds of a run's measured load, counted from its first flow's intended send time. */
export const secondOf = (intendedAtMs: number, originMs: number): number =>
  Math.max(0, Math.floor((intendedAtMs - originMs) / 1000));

/**
 * publish→client latency in one HDR histogram per second of intended send time, so the seconds of
 * several workers merge by their counts (never by averaging their percentiles); to 2 digits, so a long
 * soak's thousands of seconds stay small.
 */
export function createLatencyBySecond() {
  const seconds = new Map<number, LatencyHistogram>();
  let originMs: number | undefined;
  return {
    /** The first measured flow's intended send time: second 0 starts there. */
    start(atMs: number): void {
      originMs ??= atMs;
    },
    record(intendedAtMs: number, receivedAtMs: number): void {
      const second = secondOf(intendedAtMs, originMs ?? intendedAtMs);
      let histogram = seconds.get(second);
      if (histogram === undefined) seconds.set(second, (histogram = new LatencyHistogram({ digits: 2 })));
      histogram.record(receivedAtMs - intendedAtMs);
    },
    /** [second, HDR-encoded histogram], for the parent to merge. */
    encode: (): [number, string][] => [...seconds].map(([second, h]) => [second, h.encode()]),
  };
}

/** The workers' seconds merged: per second, the latency of every receipt of its flows. */
export function mergeLatencyBySecond(
  perWorker: readonly (readonly (readonly [number, string])[])[],
): Map<number, LatencySummary> {
  const merged = new Map<number, LatencyHistogram>();
  for (const seconds of perWorker)
    for (const [second, encoded] of seconds) {
      let histogram = merged.get(second);
      if (histogram === undefined) merged.set(second, (histogram = new LatencyHistogram({ digits: 2 })));
      histogram.addEncoded(encoded);
    }
  return new Map([...merged].map(([second, h]) => [second, h.summary()]));
}
