/**
 * What a run measures, by name, as thresholds and reports call them. Latencies are in ms, timed from
 * each message's intended send time; ratios are 0 to 1.
 */
export const LATENCY_STATS = ['p50', 'p90', 'p99', 'p999', 'max', 'mean'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];

export const METRICS = {
  publish_to_client: {
    kind: 'latency',
    about: 'pattern event: intended send time → received by a client (ms)',
  },
  error_to_client: {
    kind: 'latency',
    about: 'error message: intended send time → received by a client (ms)',
  },
  generator_lateness: { kind: 'latency', about: 'how late the generator sent each message (ms)' },
  delivery: { kind: 'ratio', about: 'events received by every client / events sent' },
  flows_complete: { kind: 'ratio', about: 'flows with every checkpoint the profile records / flows sent' },
  lost: { kind: 'count', about: 'flows sent but not received by every client within the grace period' },
  errors_lost: {
    kind: 'count',
    about: 'errors sent but not shown to every client or not stored, as spec 004 routes their severity',
  },
} as const;
export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

type LatencyValues = Readonly<Record<LatencyStat, number>> & { readonly count: number };

/** One run's figures, as thresholds read them; a metric the run could not measure is null. */
export interface MetricValues {
  readonly publish_to_client: LatencyValues | null;
  readonly error_to_client: LatencyValues | null;
  readonly generator_lateness: LatencyValues | null;
  readonly delivery: number | null;
  readonly flows_complete: number | null;
  readonly lost: number | null;
  readonly errors_lost: number | null;
}
