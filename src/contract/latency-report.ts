import type { LatencySummary } from '../shared/latency-histogram.ts';
import type { LatencyReport } from './schemas/latency-report.ts';

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** A histogram's summary as reports carry it: to the microsecond, without the mean. */
export const latencyReport = (l: LatencySummary): LatencyReport => ({
  count: l.count,
  p50: round(l.p50),
  p90: round(l.p90),
  p99: round(l.p99),
  p999: round(l.p999),
  max: round(l.max),
});
