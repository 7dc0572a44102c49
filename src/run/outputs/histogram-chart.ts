import { escapeXml as esc } from '../../shared/junit-xml.ts';
import type { LatencyBucket } from '../latency-buckets.ts';

const WIDTH = 640;
const HEIGHT = 220;
const BOTTOM = 36;
const TOP = 20;

/**
 * Bars of the latency histogram, one a log-spaced bucket, heights on a linear scale of counts: each bar
 * with its count above it and its bounds below (`data-metric` at `prefix.i.count|from_ms|to_ms`).
 */
export function histogramSvg(title: string, bars: readonly LatencyBucket[], prefix: string): string {
  const most = Math.max(1, ...bars.map((b) => b.count));
  const slot = WIDTH / Math.max(1, bars.length);
  const plotH = HEIGHT - TOP - BOTTOM;
  const figure = (i: number, key: string, value: number): string =>
    `<tspan data-metric="${esc(`${prefix}.${i}.${key}`)}">${value}</tspan>`;
  const drawn = bars.map((b, i) => {
    const h = b.count === 0 ? 0 : Math.max(1, (b.count / most) * plotH);
    const x = i * slot;
    const mid = (x + slot / 2).toFixed(1);
    return (
      `<rect class="bar-measured" x="${(x + 2).toFixed(1)}" y="${(TOP + plotH - h).toFixed(1)}" width="${Math.max(1, slot - 4).toFixed(1)}" height="${h.toFixed(1)}"/>` +
      `<text x="${mid}" y="${(TOP + plotH - h - 4).toFixed(1)}" text-anchor="middle">${figure(i, 'count', b.count)}</text>` +
      `<text class="tick" x="${mid}" y="${HEIGHT - 18}" text-anchor="middle">${figure(i, 'from_ms', b.fromMs)}–${figure(i, 'to_ms', b.toMs)}</text>`
    );
  });
  const label = `${title}: ${bars.map((b) => `${b.fromMs}–${b.toMs} ms ${b.count}`).join(', ')}`;
  return [
    `<svg class="chart" role="img" aria-label="${esc(label)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">`,
    `<title>${esc(label)}</title>`,
    ...drawn,
    `<text class="tick" x="${WIDTH / 2}" y="${HEIGHT - 2}" text-anchor="middle">ms (from ≤ latency &lt; to)</text>`,
    '</svg>',
  ].join('\n');
}
