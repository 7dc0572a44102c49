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
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  record(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  reset(): void {
    this.histogram.reset();
  }

  /** The counts as compressed base64 (HdrHistogram's V2 encoding), for merging in another process. */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }

  /** Adds counts encoded by `encode()` elsewhere: merged percentiles, not averaged ones. */
  addEncoded(encoded: string): void {
    const other = hdr.decodeFromCompressedBase64(encoded);
    this.histogram.add(other);
    other.destroy();
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
      mean: h.mean / 1000,
    };
  }
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
