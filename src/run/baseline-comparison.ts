import type { LatencyReport, RunReport } from '../contract/schemas/run-report.ts';
import { describeStages } from './load-shape.ts';

/**
 * How much worse than the baseline a figure may be before it counts as a regression: by more than
 * `relativePct` % of the baseline's value, and for a latency by more than `latencyMs` too, so that
 * noise on sub-millisecond figures (0.2 → 0.4 ms is +100 %) never flags.
 */
export interface BaselineTolerance {
  readonly relativePct: number;
  readonly latencyMs: number;
}

export const DEFAULT_BASELINE_TOLERANCE: BaselineTolerance = { relativePct: 10, latencyMs: 1 };

/** An earlier run's report, where it came from, and how much worse this run may be. */
export interface Baseline {
  readonly file: string;
  readonly report: RunReport;
  readonly tolerance: BaselineTolerance;
}

export type BaselineSection = NonNullable<RunReport['baseline']>;
export type Comparison = BaselineSection['comparisons'][number];

interface Figure {
  /** Named as thresholds name it. */
  readonly metric: string;
  /** Latencies and counts are worse higher, ratios lower; a latency also has the absolute margin. */
  readonly kind: 'latency' | 'ratio' | 'count';
  /** Null: the run has nothing to compare (no receipts, no errors sent, no checkpoints). */
  readonly read: (r: RunReport) => number | null;
}

const stat = (l: LatencyReport | undefined, key: 'p50' | 'p90' | 'p99' | 'p999' | 'max') =>
  l === undefined || l.count === 0 ? null : l[key];
const share = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 1e6) / 1e6;

const FIGURES: readonly Figure[] = [
  ...(['p50', 'p90', 'p99', 'p999', 'max'] as const).map((key): Figure => ({
    metric: `publish_to_client.${key}`,
    kind: 'latency',
    read: (r) => stat(r.latency_ms.publish_to_client, key),
  })),
  { metric: 'error_to_client.p99', kind: 'latency', read: (r) => stat(r.errors?.error_to_client, 'p99') },
  { metric: 'generator_lateness.p99', kind: 'latency', read: (r) => r.generator.lateness_ms_p99 },
  { metric: 'delivery', kind: 'ratio', read: (r) => share(r.delivery.received_min, r.delivery.sent) },
  { metric: 'lost', kind: 'count', read: (r) => r.lost.length },
  {
    metric: 'flows_complete',
    kind: 'ratio',
    read: (r) => (r.checkpoints?.recorded ? share(r.checkpoints.complete, r.delivery.sent) : null),
  },
];

const changePct = (baseline: number, current: number): number | null =>
  baseline === 0
    ? current === 0
      ? 0
      : null
    : Math.round(((current - baseline) / Math.abs(baseline)) * 1000) / 10;

function compareFigure(figure: Figure, baseline: number, current: number, t: BaselineTolerance): Comparison {
  const worseBy = figure.kind === 'ratio' ? baseline - current : current - baseline;
  const regressed =
    worseBy > 0 &&
    worseBy > (Math.abs(baseline) * t.relativePct) / 100 &&
    (figure.kind !== 'latency' || worseBy > t.latencyMs);
  return { metric: figure.metric, baseline, current, change_pct: changePct(baseline, current), regressed };
}

/** Every figure both runs measured, this run's against the baseline's. */
export function compareWithBaseline(
  baseline: RunReport,
  current: RunReport,
  tolerance: BaselineTolerance,
): Comparison[] {
  return FIGURES.flatMap((figure) => {
    const [was, now] = [figure.read(baseline), figure.read(current)];
    return was === null || now === null ? [] : [compareFigure(figure, was, now, tolerance)];
  });
}

/** How the baseline's run differs in shape from this one: its figures then answer another load. */
export function loadDifferences(baseline: RunReport, current: RunReport): string[] {
  const differs: string[] = [];
  if (baseline.profile !== current.profile) differs.push(`profile ${baseline.profile} → ${current.profile}`);
  if (baseline.clients !== current.clients) differs.push(`clients ${baseline.clients} → ${current.clients}`);
  const [was, now] = [baseline.load, current.load];
  if (was === undefined) differs.push('load: not recorded in the baseline (an older report)');
  else if (now !== undefined) {
    if (JSON.stringify(was.stages) !== JSON.stringify(now.stages))
      differs.push(`load ${describeStages(was.stages)} → ${describeStages(now.stages)}`);
    if (was.warmup_seconds !== now.warmup_seconds)
      differs.push(`warm-up ${was.warmup_seconds} s → ${now.warmup_seconds} s`);
  }
  return differs;
}

/** The report with its comparison to the baseline; a regression fails the verdict, as a threshold does. */
export function judgeAgainstBaseline(current: RunReport, { file, report, tolerance }: Baseline): RunReport {
  const comparisons = compareWithBaseline(report, current, tolerance);
  const regressed = comparisons.filter((c) => c.regressed).length;
  return {
    ...current,
    verdict: regressed > 0 ? 'fail' : current.verdict,
    baseline: {
      file,
      tolerance: { relative_pct: tolerance.relativePct, latency_ms: tolerance.latencyMs },
      load_differs: loadDifferences(report, current),
      comparisons,
      regressed,
    },
  };
}
