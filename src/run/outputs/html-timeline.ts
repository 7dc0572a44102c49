import type { RunReport } from '../run-report.ts';
import { esc } from './html-metric.ts';
import { histogramSvg } from './histogram-chart.ts';
import { timeChartSvg, type TimeSeries } from './time-chart.ts';

type Timeline = NonNullable<RunReport['timeline']>;

const series = (
  t: Timeline,
  label: string,
  className: string,
  key: 'p50_ms' | 'p99_ms' | 'sent' | 'delivered',
): TimeSeries => ({
  label,
  className,
  values: t.map((s) => s[key]),
  metric: (i) => `timeline.${i}.${key}`,
});

const legend = (lines: readonly TimeSeries[]): string =>
  `<p class="legend">${lines.map((s) => `<span class="key ${esc(s.className)}" aria-hidden="true"></span> ${esc(s.label)}`).join(' ')}</p>`;

/**
 * The run over time (publish→client p50/p99 and sent/delivered per second) and the latency histogram; a
 * report written before these existed has neither, and shows nothing here.
 */
export function timelineSection(r: RunReport): string {
  const t = r.timeline ?? [];
  const buckets = r.histogram?.publish_to_client ?? [];
  if (t.length === 0 && buckets.length === 0) return '';
  const latency = [series(t, 'p50', 'line-p50', 'p50_ms'), series(t, 'p99', 'line-p99', 'p99_ms')];
  const throughput = [
    series(t, 'sent', 'line-sent', 'sent'),
    series(t, 'delivered to every client', 'line-delivered', 'delivered'),
  ];
  const bars = buckets.map((b) => ({ fromMs: b.from_ms, toMs: b.to_ms, count: b.count }));
  return `<section aria-labelledby="h-timeline">
<h2 id="h-timeline">Over time</h2>
<p>Each second of the measured load, by the flows' intended send time (second 0: the first flow's).</p>
<figure>
<figcaption>publish→client latency per second (hover a point for its value)</figcaption>
${timeChartSvg('publish→client latency per second', 'ms', latency)}
${legend(latency)}
</figure>
<figure>
<figcaption>Throughput: flows per second</figcaption>
${timeChartSvg('flows per second', '/s', throughput)}
${legend(throughput)}
</figure>
<figure>
<figcaption>publish→client histogram: receipts per latency bucket (log-spaced buckets, linear counts)</figcaption>
${histogramSvg('publish→client receipts per latency bucket', bars, 'histogram.publish_to_client')}
</figure>
</section>`;
}
