import { LatencyHistogram, type LatencySummary } from './latency-histogram.ts';

/**
 * Latencies of the last `slots` seconds: one HDR histogram per second, summed on demand, so a
 * percentile is over the window (not a frozen total, not an average of per-second percentiles).
 */
export class LatencyWindow {
  private readonly seconds: LatencyHistogram[];
  private readonly sum = new LatencyHistogram();
  private current = 0;

  constructor(slots: number) {
    this.seconds = Array.from({ length: slots }, () => new LatencyHistogram());
  }

  record(ms: number): void {
    this.seconds[this.current]!.record(ms);
  }

  /** Starts the next second, forgetting the oldest. */
  advance(): void {
    this.current = (this.current + 1) % this.seconds.length;
    this.seconds[this.current]!.reset();
  }

  summary(): LatencySummary {
    this.sum.reset();
    for (const second of this.seconds) this.sum.add(second);
    return this.sum.summary();
  }
}
