import type { LatencyReport } from '../../contract/schemas/run-report.ts';
import { escapeXml } from '../../shared/junit-xml.ts';
import { formatMs } from '../../shared/latency-histogram.ts';

/** The percentiles a report holds, in order, with the names a person reads. */
export const PERCENTILES = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
] as const satisfies readonly (readonly [keyof LatencyReport, string])[];

export interface ChartSeries {
  readonly label: string;
  /** A CSS class of the page's: the bar's fill. */
  readonly className: string;
  readonly latency: LatencyReport;
}

const WIDTH = 640;
const LABEL_WIDTH = 56;
const VALUE_WIDTH = 84; // room for the value written after the longest bar
const BAR = 18;
const BAR_GAP = 3;
const ROW_GAP = 12;

const describe = (s: ChartSeries): string =>
  `${s.label}: ${PERCENTILES.map(([key, name]) => `${name} ${formatMs(s.latency[key])}`).join(', ')}`;

/**
 * Horizontal bars of the percentiles, one bar a series in each row, on one linear scale from 0, each bar
 * with its value written after it: the tail's size against the median is the picture. Inline SVG, so the
 * report stays one file that needs nothing (docs/decisions.md).
 */
export function latencyChartSvg(title: string, series: readonly ChartSeries[]): string {
  const values = series.flatMap((s) => PERCENTILES.map(([key]) => s.latency[key]));
  const scaleMax = Math.max(...values.filter(Number.isFinite), 0);
  const plotWidth = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const barWidth = (ms: number): number =>
    scaleMax > 0 && ms > 0 ? Math.max(1, (ms / scaleMax) * plotWidth) : 0;
  const rowHeight = series.length * (BAR + BAR_GAP) - BAR_GAP + ROW_GAP;
  const height = PERCENTILES.length * rowHeight;
  const rows = PERCENTILES.map(([key, name], row) => {
    const top = row * rowHeight;
    const bars = series.map((s, i) => {
      const y = top + i * (BAR + BAR_GAP);
      const w = barWidth(s.latency[key]);
      return (
        `<rect class="${escapeXml(s.className)}" x="${LABEL_WIDTH}" y="${y}" width="${w.toFixed(1)}" height="${BAR}"/>` +
        `<text x="${(LABEL_WIDTH + w + 6).toFixed(1)}" y="${y + BAR / 2}" dominant-baseline="central">${escapeXml(formatMs(s.latency[key]))}</text>`
      );
    });
    const labelY = top + (series.length * (BAR + BAR_GAP) - BAR_GAP) / 2;
    return `<text class="axis" x="0" y="${labelY}" dominant-baseline="central">${name}</text>${bars.join('')}`;
  });
  const label = `${title}. ${series.map(describe).join('. ')}.`;
  return [
    `<svg class="chart" role="img" aria-label="${escapeXml(label)}" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">`,
    `<title>${escapeXml(label)}</title>`,
    `<line class="baseline" x1="${LABEL_WIDTH}" y1="0" x2="${LABEL_WIDTH}" y2="${height - ROW_GAP}"/>`,
    ...rows,
    '</svg>',
  ].join('\n');
}
