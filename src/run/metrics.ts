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
  error_to_page: {
    kind: 'latency',
    about: "error message: intended send time → rendered in a page of the consumer's UI (ms, --browsers)",
  },
  over_floor: {
    kind: 'latency',
    about:
      "publish_to_client minus this machine's floor, statistic by statistic: what the consumer adds (ms, --floor)",
  },
  generator_lateness: { kind: 'latency', about: 'how late the generator sent each message (ms)' },
  delivery: { kind: 'ratio', about: 'events received by every client / events sent' },
  flows_complete: { kind: 'ratio', about: 'flows with every checkpoint the profile records / flows sent' },
  lost: { kind: 'count', about: 'flows sent but not received by every client within the grace period' },
  errors_lost: {
    kind: 'count',
    about: 'errors sent but not shown to every client or not stored, as spec 004 routes their severity',
  },
  errors_lost_after_receipt: {
    kind: 'count',
    about:
      'errors_lost less those whose PUBLISH reached no subscriber (pub-sub is at most once): what the consumer lost',
  },
  errors_not_rendered: {
    kind: 'count',
    about: "errors to be shown that some page of the consumer's UI never rendered (--browsers)",
  },
  recovery: {
    kind: 'per-fault',
    about:
      "recovery.FAULT: ms from the fault's end to the first receipt of a flow sent after it (--fault; null: none arrived)",
  },
  page_errors: {
    kind: 'count',
    about: "console errors, uncaught exceptions and crashes in the pages of the consumer's UI (--browsers)",
  },
} as const;
export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export type LatencyValues = Readonly<Record<LatencyStat, number>> & { readonly count: number };

/** One run's figures, as thresholds read them; a metric the run could not measure is null. */
export interface MetricValues {
  readonly publish_to_client: LatencyValues | null;
  readonly error_to_client: LatencyValues | null;
  readonly error_to_page: LatencyValues | null;
  readonly over_floor: LatencyValues | null;
  readonly generator_lateness: LatencyValues | null;
  readonly delivery: number | null;
  readonly flows_complete: number | null;
  readonly lost: number | null;
  readonly errors_lost: number | null;
  readonly errors_lost_after_receipt: number | null;
  readonly errors_not_rendered: number | null;
  readonly page_errors: number | null;
  /** Each scheduled fault's figures, by its label (`redis_restart`): `recovery.FAULT`, `lost.FAULT`. */
  readonly faults?: Readonly<Record<string, FaultFigures>>;
}

export interface FaultFigures {
  /** ms from the fault's end to the first receipt of a flow sent after it; null: none arrived. */
  readonly recovery: number | null;
  /** Flows sent in its window that some client never received. */
  readonly lost: number;
}

/** Whether a figure as reports name it (`publish_to_client.p99`, `lost`) is a latency, in ms. */
export const isLatencyFigure = (name: string): boolean =>
  (METRICS as Readonly<Record<string, { kind: string } | undefined>>)[name.split('.')[0] ?? '']?.kind ===
  'latency';

/** `a` minus `b`, statistic by statistic (`a`'s count). */
export const latencyOver = (a: LatencyValues, b: LatencyValues): LatencyValues => ({
  count: a.count,
  ...(Object.fromEntries(LATENCY_STATS.map((s) => [s, a[s] - b[s]])) as Record<LatencyStat, number>),
});
