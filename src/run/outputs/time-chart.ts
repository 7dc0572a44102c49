import { escapeXml as esc } from '../../shared/junit-xml.ts';

/** One line of a chart over the run's seconds; `metric(i)` names point i's figure in the JSON. */
export interface TimeSeries {
  readonly label: string;
  /** A CSS class of the page's: the line's stroke and its points' fill. */
  readonly className: string;
  readonly values: readonly (number | null)[];
  readonly metric: (i: number) => string;
}

const WIDTH = 640;
const HEIGHT = 220;
const LEFT = 56;
const BOTTOM = 24;
const TOP = 8;

/** A round top for the y scale (1, 2 or 5 times a power of ten) at or above `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * power).find((n) => n >= max)!;
}

/**
 * Lines over the run's seconds on a linear scale from 0, one point a second. Each point carries its
 * figure (`<title data-metric>`), so the page can be held against its JSON; a null is a gap in the line.
 */
export function timeChartSvg(title: string, unit: string, series: readonly TimeSeries[]): string {
  const seconds = Math.max(0, ...series.map((s) => s.values.length));
  const top = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v) => v !== null))));
  const plotW = WIDTH - LEFT - 8;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (i: number): number => LEFT + (seconds <= 1 ? plotW / 2 : (i / (seconds - 1)) * plotW);
  const y = (v: number): number => TOP + plotH - (v / top) * plotH;
  const lines = series.map((s) => {
    const segments: string[][] = [[]];
    s.values.forEach((v, i) => {
      if (v === null) segments.push([]);
      else segments.at(-1)!.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    });
    const paths = segments
      .filter((points) => points.length > 1)
      .map((points) => `<polyline class="${esc(s.className)}" points="${points.join(' ')}"/>`);
    const points = s.values.map((v, i) =>
      v === null
        ? ''
        : `<circle class="${esc(s.className)}" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5"><title data-metric="${esc(s.metric(i))}">${v}</title></circle>`,
    );
    return `<g data-series="${esc(s.label)}">${paths.join('')}${points.join('')}</g>`;
  });
  const ticks = [0, top / 2, top].map(
    (v) =>
      `<line class="grid" x1="${LEFT}" x2="${WIDTH - 8}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>` +
      `<text class="tick" x="${LEFT - 6}" y="${y(v).toFixed(1)}" text-anchor="end" dominant-baseline="central">${v} ${esc(unit)}</text>`,
  );
  const xTicks = seconds === 0 ? [] : [0, seconds - 1];
  const label = `${title}: ${series.map((s) => s.label).join(', ')} over ${seconds} s`;
  return [
    `<svg class="chart" role="img" aria-label="${esc(label)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">`,
    `<title>${esc(label)}</title>`,
    ...ticks,
    ...xTicks.map(
      (s) => `<text class="tick" x="${x(s).toFixed(1)}" y="${HEIGHT - 6}" text-anchor="middle">${s} s</text>`,
    ),
    ...lines,
    '</svg>',
  ].join('\n');
}
