import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

/** Latencies in milliseconds, recorded in microseconds in an HDR histogram (1 µs to 1 h, 3 digits). */
export class LatencyHistogram {
  private readonly histogram: hdr.Histogram;
  /**
   * `digits: 2` (values to 1 %) for the many histograms of a timeline and the live line: ≈ 14 kB and
   * ≈ 0.3–0.9 ms to encode, against ≈ 95 kB and 9–17 ms at 3 digits (docs/decisions.md).
   */
  constructor({ digits = 3 }: { readonly digits?: 2 | 3 } = {}) {
    this.histogram = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 3_600_000_000,
      numberOfSignificantValueDigits: digits,
    });
  }
  /** Kept beside the counts: the library's mean walks every bucket (≈ 5 ms), too slow for /health. */
  private sumUs = 0;

  record(ms: number): void {
    const us = Math.max(1, Math.round(ms * 1000));
    this.histogram.recordValue(us);
    this.sumUs += us;
  }

  reset(): void {
    this.histogram.reset();
    this.sumUs = 0;
  }

  /** Adds another histogram's counts (a window summed from its seconds). */
  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  /** The counts as compressed base64 (HdrHistogram's V2 encoding), for merging in another process. */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }

  /** Adds counts encoded by `encode()` elsewhere: merged percentiles, not averaged ones. */
  addEncoded(encoded: string): void {
    const other = hdr.decodeFromCompressedBase64(encoded);
    this.histogram.add(other);
    this.sumUs += other.mean * other.totalCount;
    other.destroy();
  }

  /**
   * How many latencies fall below each bound (ms, ascending) and at or above the one before: counts
   * read off the HDR buckets (each bucket by its lowest value); those at or above the last bound are left out.
   */
  countsBelow(boundsMs: readonly number[]): number[] {
    const counts = boundsMs.map(() => 0);
    const h = this.histogram as hdr.JsHistogram; // hdr.build without WebAssembly builds a JsHistogram
    for (let i = 0; i < h.countsArrayLength; i++) {
      const count = h.getCountAtIndex(i);
      if (count === 0) continue;
      const bucket = boundsMs.findIndex((bound) => h.valueFromIndex(i) / 1000 < bound);
      if (bucket >= 0) counts[bucket]! += count;
    }
    return counts;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const at = (p: number) => h.getValueAtPercentile(p) / 1000;
    return {
      count: h.totalCount,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: h.maxValue / 1000,
      mean: h.totalCount === 0 ? 0 : this.sumUs / h.totalCount / 1000,
    };
  }
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
