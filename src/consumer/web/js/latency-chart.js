import uPlot from 'uplot';
import { $, probe } from './dom.js';

const WINDOW_SECONDS = 300;
const MIN_SPAN_SECONDS = 60;
const clock = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const series = { t: [], p50: [], p99: [] };
probe.latency = series; // what the chart shows, for tests to read
let second = [];
let plot;

/** The q-quantile of sorted latencies, nearest rank. */
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

/** One publish→browser latency, measured here: receipt time against the event's published time. */
export function recordLatency(ms) {
  second.push(ms);
}

function xRange(min) {
  const newest = series.t.at(-1) ?? min;
  return [Math.min(min, newest - MIN_SPAN_SECONDS), newest];
}

function draw() {
  const box = $('latency');
  if (!plot) {
    box.replaceChildren();
    plot = new uPlot(
      {
        width: box.clientWidth,
        height: 180,
        legend: { show: false },
        padding: [null, 28, null, null], // room for the newest second's label at the right edge
        // The last minute at least, up to the newest second: from one point alone uPlot spreads the axis over years.
        scales: { x: { time: true, range: (_, min) => xRange(min) } },
        axes: [
          {
            stroke: '#8290a0',
            grid: { stroke: '#26303b' },
            space: 70, // one clock time per tick, never uPlot's two-line date labels, which overlap here
            values: (_, ticks) => ticks.map((t) => clock.format(new Date(t * 1000))),
          },
          {
            stroke: '#8290a0',
            grid: { stroke: '#26303b' },
            size: 60, // room for "1000 ms"
            values: (_, ticks) => ticks.map((v) => v + ' ms'),
          },
        ],
        series: [
          {},
          { label: 'p50', stroke: '#58a6ff', width: 2 },
          { label: 'p99', stroke: '#ff9b45', width: 2 },
        ],
      },
      [series.t, series.p50, series.p99],
      box,
    );
  } else plot.setData([series.t, series.p50, series.p99]);
}

/** Closes the second: its p50 and p99 become a point (a gap when nothing arrived), the header says them. */
export function closeSecond() {
  const sorted = second.sort((a, b) => a - b);
  second = [];
  series.t.push(Math.floor(Date.now() / 1000));
  series.p50.push(sorted.length ? quantile(sorted, 0.5) : null);
  series.p99.push(sorted.length ? quantile(sorted, 0.99) : null);
  for (const s of Object.values(series)) if (s.length > WINDOW_SECONDS) s.shift();
  const points = series.p50.filter((v) => v !== null).length;
  $('latency').dataset.points = String(points);
  if (!points) return;
  if (sorted.length)
    $('latency-now').textContent =
      'p50 ' + quantile(sorted, 0.5).toFixed(1) + ' ms · p99 ' + quantile(sorted, 0.99).toFixed(1) + ' ms';
  draw();
}
