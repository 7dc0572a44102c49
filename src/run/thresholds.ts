import { nearestName } from '../contract/nearest-name.ts';
import {
  LATENCY_STATS,
  METRIC_NAMES,
  METRICS,
  type LatencyStat,
  type MetricName,
  type MetricValues,
} from './metrics.ts';
import { RunUsageError } from './run-error.ts';

const OPERATORS = {
  '<': (a: number, b: number) => a < b,
  '<=': (a: number, b: number) => a <= b,
  '>': (a: number, b: number) => a > b,
  '>=': (a: number, b: number) => a >= b,
  '==': (a: number, b: number) => a === b,
} as const;
type Operator = keyof typeof OPERATORS;

/** A pass criterion as k6 writes one: `publish_to_client.p99 < 100`, `delivery >= 0.999`. */
export interface Threshold {
  readonly expr: string;
  /** `metric` or `metric.stat`, as reports name it. */
  readonly name: string;
  readonly metric: MetricName;
  readonly stat: LatencyStat | undefined;
  /** `recovery.FAULT`, `lost.FAULT`: the scheduled fault's label. */
  readonly fault?: string;
  readonly op: Operator;
  readonly limit: number;
}

export interface ThresholdResult {
  readonly name: string;
  readonly expr: string;
  /** The measured value; null when the run could not measure it (which fails the threshold). */
  readonly value: number | null;
  readonly ok: boolean;
}

// A limit may carry a unit (`recovery.redis_restart < 1s`): ms are the figures' own.
const SHAPE = /^\s*([a-z_]+)(?:\.([a-z0-9_]+))?\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)(ms|s)?\s*$/i;

const refuse = (expr: string, what: string, hint: string): never => {
  throw new RunUsageError('RUN_THRESHOLD', `threshold '${expr}': ${what}`, hint);
};
const didYouMean = (name: string, known: readonly string[]): string => {
  const near = nearestName(name, known);
  return near === undefined ? `one of ${known.join(', ')}` : `did you mean '${near}'?`;
};

/** `recovery.FAULT`, `lost.FAULT` or `lost.errors` (every error lost in the run, as errors_lost). */
function perFault(
  expr: string,
  base: Omit<Threshold, 'stat' | 'fault'>,
  sub: string | undefined,
  faults: readonly string[],
): Threshold {
  if (base.metric === 'lost' && sub === 'errors') return { ...base, stat: undefined };
  const known = base.metric === 'lost' ? ['errors', ...faults] : faults;
  if (sub === undefined || !faults.includes(sub))
    return refuse(
      expr,
      sub === undefined ? `${base.metric} names a fault` : `no scheduled fault '${sub}'`,
      faults.length === 0
        ? `schedule one with --fault (docs/run.md: Faults), e.g. 'at=10s redis:restart' is recovery.redis_restart`
        : didYouMean(sub ?? '', known),
    );
  return { ...base, stat: undefined, fault: sub };
}

/** `faults`: the labels of the run's scheduled faults, which `recovery.FAULT` and `lost.FAULT` name. */
export function parseThreshold(expr: string, faults: readonly string[] = []): Threshold {
  const m = SHAPE.exec(expr);
  if (m === null)
    return refuse(
      expr,
      'not of the form METRIC[.STAT] OP NUMBER',
      "write it like 'publish_to_client.p99 < 100'",
    );
  const [, metricName = '', statName, op = '<', limitText = '', unit] = m;
  if (!(metricName in METRICS))
    return refuse(expr, `unknown metric '${metricName}'`, didYouMean(metricName, METRIC_NAMES));
  const metric = metricName as MetricName;
  const limit = Number(limitText) * (unit === 's' ? 1000 : 1);
  const base = {
    expr: expr.trim(),
    name: statName === undefined ? metric : `${metric}.${statName}`,
    metric,
    op: op as Operator,
    limit,
  };
  if (metric === 'recovery' || (metric === 'lost' && statName !== undefined))
    return perFault(expr, base, statName, faults);
  const latency = METRICS[metric].kind === 'latency';
  if (latency && statName === undefined)
    return refuse(
      expr,
      `${metric} is a latency: it needs a statistic`,
      `add one of .${LATENCY_STATS.join(', .')}`,
    );
  if (!latency && statName !== undefined)
    return refuse(
      expr,
      `${metric} is one number: it has no statistic '.${statName}'`,
      `write '${metric} ${op} ${limitText}'`,
    );
  if (statName !== undefined && !(LATENCY_STATS as readonly string[]).includes(statName))
    return refuse(expr, `unknown statistic '${statName}'`, didYouMean(statName, LATENCY_STATS));
  return { ...base, stat: statName as LatencyStat | undefined };
}

function valueOf(t: Threshold, values: MetricValues): number | null {
  if (t.fault !== undefined) {
    const f = values.faults?.[t.fault];
    return f === undefined ? null : t.metric === 'recovery' ? f.recovery : f.lost;
  }
  if (t.metric === 'recovery') return null;
  if (t.metric === 'lost' && t.name === 'lost.errors') return values.errors_lost;
  const v = values[t.metric];
  if (v === null) return null;
  if (typeof v === 'number') return v;
  return v.count === 0 || t.stat === undefined ? null : v[t.stat];
}

export function evaluateThresholds(
  thresholds: readonly Threshold[],
  values: MetricValues,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const value = valueOf(t, values);
    return { name: t.name, expr: t.expr, value, ok: value !== null && OPERATORS[t.op](value, t.limit) };
  });
}
