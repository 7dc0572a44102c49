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

const SHAPE = /^\s*([a-z_]+)(?:\.([a-z0-9]+))?\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/i;

const refuse = (expr: string, what: string, hint: string): never => {
  throw new RunUsageError('RUN_THRESHOLD', `threshold '${expr}': ${what}`, hint);
};
const didYouMean = (name: string, known: readonly string[]): string => {
  const near = nearestName(name, known);
  return near === undefined ? `one of ${known.join(', ')}` : `did you mean '${near}'?`;
};

export function parseThreshold(expr: string): Threshold {
  const m = SHAPE.exec(expr);
  if (m === null)
    return refuse(
      expr,
      'not of the form METRIC[.STAT] OP NUMBER',
      "write it like 'publish_to_client.p99 < 100'",
    );
  const [, metricName = '', statName, op = '<', limitText = ''] = m;
  if (!(metricName in METRICS))
    return refuse(expr, `unknown metric '${metricName}'`, didYouMean(metricName, METRIC_NAMES));
  const metric = metricName as MetricName;
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
  return {
    expr: expr.trim(),
    name: statName === undefined ? metric : `${metric}.${statName}`,
    metric,
    stat: statName as LatencyStat | undefined,
    op: op as Operator,
    limit: Number(limitText),
  };
}

function valueOf(t: Threshold, values: MetricValues): number | null {
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
