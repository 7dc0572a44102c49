import { formatMs } from '../../shared/latency-histogram.ts';
import { isLatencyFigure } from '../metrics.ts';
import type { RunReport } from '../run-report.ts';

type Section = NonNullable<RunReport['baseline']>;

/** A compared figure as a person reads it: latencies in ms, ratios and counts as they are. */
export const formatFigure = (metric: string, value: number): string =>
  isLatencyFigure(metric) ? formatMs(value) : String(value);

/** `+8.3 %`, `-0.5 %`; from a baseline of 0, `from 0`. */
export const formatChange = (pct: number | null): string =>
  pct === null ? 'from 0' : `${pct > 0 ? '+' : ''}${pct} %`;

/** The rule in words, for the summary, the page and JUnit: a figure regresses when it is … */
export const toleranceText = (s: Section): string =>
  `more than ${s.tolerance.relative_pct} % worse than the baseline, and latencies more than ${s.tolerance.latency_ms} ms worse`;

/** The warning when the baseline's run had another shape; null when it had the same. */
export const loadWarning = (s: Section): string | null =>
  s.load_differs.length === 0
    ? null
    : `The baseline ran another load (${s.load_differs.join('; ')}): its figures are compared across different loads`;

/** The end summary's table: each compared figure, the baseline's, this run's, the change, ✓ or REGRESSED. */
export function baselineLines(r: RunReport): string[] {
  const s = r.baseline;
  if (s === undefined) return [];
  const row = ([name, ...figures]: readonly string[], mark: string) =>
    `    ${(name ?? '').padEnd(30)}${figures.map((f) => f.padStart(12)).join('')}  ${mark}`.trimEnd();
  const warning = loadWarning(s);
  return [
    `  baseline             ${s.file}: ${s.regressed === 0 ? 'no figure regressed' : `${s.regressed} of ${s.comparisons.length} figures REGRESSED`} (a figure regresses when it is ${toleranceText(s)})`,
    ...(warning === null ? [] : [`  ! ${warning}`]),
    row(['metric', 'baseline', 'now', 'change'], ''),
    ...s.comparisons.map((c) =>
      row(
        [
          c.metric,
          formatFigure(c.metric, c.baseline),
          formatFigure(c.metric, c.current),
          formatChange(c.change_pct),
        ],
        c.regressed ? 'REGRESSED' : '✓',
      ),
    ),
  ];
}
