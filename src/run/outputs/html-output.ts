import { writeFile } from 'node:fs/promises';
import type { LatencyReport } from '../../contract/schemas/run-report.ts';
import { esc, metric } from './html-metric.ts';
import { faultsSection } from './html-faults.ts';
import { timelineSection } from './html-timeline.ts';
import type { RunReport } from '../run-report.ts';
import { isLatencyFigure } from '../metrics.ts';
import { formatChange, loadWarning, toleranceText } from './baseline-text.ts';
import { latencyChartSvg, PERCENTILES, type ChartSeries } from './latency-chart.ts';
import { REPORT_CSS } from './html-report-css.ts';
import type { RunOutput } from './run-output.ts';

/** The report as JSON inside the page: `<` escaped, so no string in it can close the script element. */
export const embeddedJson = (report: RunReport): string =>
  JSON.stringify(report, null, 2).replace(/</g, '\\u003c');

const verdictText = (r: RunReport): string => (r.verdict === 'pass' ? 'PASS' : 'FAIL');

function header(r: RunReport): string {
  return `<header>
<h1>tickstock run <span class="verdict ${r.verdict === 'pass' ? 'pass' : 'fail'}">${metric('verdict', verdictText(r))}</span></h1>
<dl class="facts">
<div><dt>profile</dt><dd>${metric('profile', r.profile)}</dd></div>
<div><dt>clients</dt><dd>${metric('clients', r.clients)}</dd></div>
<div><dt>elapsed</dt><dd>${metric('elapsed_ms', r.elapsed_ms)} ms</dd></div>
<div><dt>started</dt><dd><time datetime="${esc(r.started_at)}">${metric('started_at', r.started_at)}</time></dd></div>
</dl>
</header>`;
}

function thresholds(r: RunReport): string {
  const rows = r.thresholds.map(
    (t, i) => `<tr class="${t.ok ? 'ok' : 'failed'}">
<td>${metric(`thresholds.${i}.ok`, t.ok ? '✓' : '✗')} ${t.ok ? 'held' : 'failed'}</td>
<th scope="row"><code>${metric(`thresholds.${i}.expr`, t.expr)}</code></th>
<td class="num">${metric(`thresholds.${i}.value`, t.value === null ? 'not measured' : t.value)}</td>
</tr>`,
  );
  const body =
    rows.length === 0
      ? '<p>No thresholds.</p>'
      : `<table>
<thead><tr><th scope="col">result</th><th scope="col">threshold</th><th scope="col">measured</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
  return `<section aria-labelledby="h-thresholds">
<h2 id="h-thresholds">Thresholds</h2>
${body}
</section>`;
}

/** Each figure compared with the baseline: the baseline's, this run's, the change, held or regressed. */
function baseline(r: RunReport): string {
  const s = r.baseline;
  if (s === undefined) return '';
  const rows = s.comparisons.map((c, i) => {
    const at = `baseline.comparisons.${i}`;
    const value = (key: 'baseline' | 'current') =>
      `<td class="num">${metric(`${at}.${key}`, c[key])}${isLatencyFigure(c.metric) ? ' ms' : ''}</td>`;
    return `<tr class="${c.regressed ? 'failed' : 'ok'}">
<td>${metric(`${at}.regressed`, c.regressed ? 'REGRESSED' : '✓')}</td>
<th scope="row"><code>${metric(`${at}.metric`, c.metric)}</code></th>
${value('baseline')}${value('current')}<td class="num">${esc(formatChange(c.change_pct))}</td>
</tr>`;
  });
  const warning = loadWarning(s);
  return `<section aria-labelledby="h-baseline">
<h2 id="h-baseline">Against the baseline: ${metric('baseline.regressed', s.regressed)} regressed</h2>
<p>Compared with <code>${metric('baseline.file', s.file)}</code>: a figure regresses when it is ${esc(toleranceText(s))}.</p>
${warning === null ? '' : `<p class="warn">${esc(warning)}</p>`}
<table>
<thead><tr><th scope="col">result</th><th scope="col">figure</th><th scope="col">baseline</th><th scope="col">this run</th><th scope="col">change</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>`;
}

/** Rows p50 … max and the count, a column a series; the warm-up's column only when there was one. */
function percentileTable(measured: LatencyReport, warmup: LatencyReport | null): string {
  const cell = (prefix: string, l: LatencyReport, key: keyof LatencyReport) =>
    `<td class="num">${metric(`${prefix}.${key}`, l[key])}</td>`;
  const rows = PERCENTILES.map(
    ([key, name]) =>
      `<tr><th scope="row">${name}</th>${cell('publish_to_client', measured, key)}${warmup === null ? '' : cell('warmup.publish_to_client', warmup, key)}</tr>`,
  );
  const count = `<tr><th scope="row">receipts</th>${cell('publish_to_client', measured, 'count')}${warmup === null ? '' : cell('warmup.publish_to_client', warmup, 'count')}</tr>`;
  return `<table>
<caption>publish→client latency, ms</caption>
<thead><tr><th scope="col">percentile</th><th scope="col">measured</th>${warmup === null ? '' : '<th scope="col">warm-up (not judged)</th>'}</tr></thead>
<tbody>
${rows.join('\n')}
${count}
</tbody>
</table>`;
}

function beside(r: RunReport): string {
  const warmup =
    r.warmup === null
      ? '<p>No warm-up.</p>'
      : `<p>${metric('warmup.seconds', r.warmup.seconds)} s, ${metric('warmup.sent', r.warmup.sent)} events before the measured window, timed apart and never judged.</p>`;
  return `<aside aria-labelledby="h-generator">
<h3 id="h-generator">Generator lateness</h3>
<p>How late the load tool itself sent against its schedule; latency is timed from the intended send time, so it cannot hide.</p>
<table>
<thead><tr><th scope="col"></th><th scope="col">ms</th></tr></thead>
<tbody>
<tr><th scope="row">p99</th><td class="num">${metric('generator.lateness_ms_p99', r.generator.lateness_ms_p99)}</td></tr>
<tr><th scope="row">max</th><td class="num">${metric('generator.lateness_ms_max', r.generator.lateness_ms_max)}</td></tr>
</tbody>
</table>
<p>Also sent: ${metric('generator.malformed_sent', r.generator.malformed_sent)} malformed pattern messages (to be rejected), ${metric('generator.aux_sent', r.generator.aux_sent)} backtest/health, ${metric('generator.errors_sent', r.generator.errors_sent)} errors.</p>
${
  r.floor === null
    ? ''
    : `<h3>This machine's floor</h3>
<p>The same clients through a bare Redis→Socket.IO relay at ${metric('floor.rate', r.floor.rate)}/s for ${metric('floor.seconds', r.floor.seconds)} s: p99 ${metric('floor.publish_to_client.p99', r.floor.publish_to_client.p99)} ms (its generator late p99 ${metric('floor.generator_lateness_ms_p99', r.floor.generator_lateness_ms_p99)} ms).</p>`
}
<h3>Warm-up</h3>
${warmup}
</aside>`;
}

function latency(r: RunReport): string {
  const measured = r.latency_ms.publish_to_client;
  const series: ChartSeries[] = [
    { label: 'measured', className: 'bar-measured', latency: measured },
    ...(r.warmup === null
      ? []
      : [{ label: 'warm-up', className: 'bar-warmup', latency: r.warmup.publish_to_client }]),
    ...(r.floor === null
      ? []
      : [{ label: 'floor (bare relay)', className: 'bar-floor', latency: r.floor.publish_to_client }]),
  ];
  const legend =
    series.length === 1
      ? ''
      : `<p class="legend">${series.map((s) => `<span class="key ${s.className}" aria-hidden="true"></span> ${esc(s.label)}`).join(' ')}</p>`;
  return `<section aria-labelledby="h-latency">
<h2 id="h-latency">Publish → client latency</h2>
<p>From each event's intended send time to its arrival at a client, over every client.</p>
<div class="latency">
<figure>
${latencyChartSvg('publish→client latency percentiles, linear scale from 0', series)}
${legend}
${percentileTable(measured, r.warmup?.publish_to_client ?? null)}
</figure>
${beside(r)}
</div>
</section>`;
}

function delivery(r: RunReport): string {
  const d = r.delivery;
  const unreadable =
    d.unreadable > 0
      ? `<p class="warn">${esc(String(d.unreadable))} payloads had no flow id or publish time where profile <code>${esc(r.profile)}</code> looks: is <code>--profile</code> right for this consumer?</p>`
      : '';
  return `<section aria-labelledby="h-delivery">
<h2 id="h-delivery">Delivery</h2>
<dl class="facts">
<div><dt>sent</dt><dd>${metric('delivery.sent', d.sent)} pattern events</dd></div>
<div><dt>received by each client</dt><dd>${metric('delivery.received_min', d.received_min)}–${metric('delivery.received_max', d.received_max)}</dd></div>
<div><dt>foreign</dt><dd>${metric('delivery.foreign', d.foreign)} <small>(flows this run did not send: not judged)</small></dd></div>
<div><dt>unreadable</dt><dd>${metric('delivery.unreadable', d.unreadable)}</dd></div>
</dl>
${unreadable}
</section>`;
}

/** The flow ledger from PostgreSQL: flows complete, each hop's latency, or why there is none. */
function checkpoints(r: RunReport): string {
  const c = r.checkpoints;
  const body =
    c === null
      ? '<p>Not read: no PostgreSQL (--no-db, or tracking off).</p>'
      : !c.recorded
        ? `<p>${esc(c.reason)}</p>`
        : `<p>${metric('checkpoints.complete', c.complete)} of ${esc(String(r.delivery.sent))} flows have every checkpoint of ${esc(c.chain.join(' → '))}; ${metric('checkpoints.incomplete_count', c.incomplete_count)} do not.</p>
<table>
<caption>per hop, ms (from the database's timestamps)</caption>
<thead><tr><th scope="col">hop</th><th scope="col">p50</th><th scope="col">p99</th><th scope="col">max</th><th scope="col">flows</th></tr></thead>
<tbody>
${c.hops
  .map(
    (h, i) =>
      `<tr><th scope="row">${esc(`${h.from} → ${h.to}`)}</th>${(['p50', 'p99', 'max', 'count'] as const).map((k) => `<td class="num">${metric(`checkpoints.hops.${i}.${k}`, h.latency_ms[k])}</td>`).join('')}</tr>`,
  )
  .join('\n')}
</tbody>
</table>`;
  return `<section aria-labelledby="h-checkpoints">
<h2 id="h-checkpoints">Flow ledger</h2>
${body}
</section>`;
}

/** The mix's errors: shown to every client, stored, and error→client latency. */
function errors(r: RunReport): string {
  const e = r.errors;
  if (e === null) return '';
  const list = (title: string, items: string[]) =>
    items.length === 0 ? '' : `<h3>${title}</h3><ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;
  return `<section aria-labelledby="h-errors">
<h2 id="h-errors">Errors</h2>
<dl class="facts">
<div><dt>sent</dt><dd>${metric('errors.sent', e.sent)}</dd></div>
<div><dt>to be shown to every client</dt><dd>${e.to_show === null ? 'not checked (this consumer pushes no errors to clients)' : `${metric('errors.to_show', e.to_show)}, of which not shown: ${metric('errors.not_shown.count', e.not_shown.length)}`}</dd></div>
<div><dt>to be stored</dt><dd>${e.to_store === null ? 'not checked (no PostgreSQL, or the profile names no error store)' : `${metric('errors.to_store', e.to_store)}, of which not stored: ${metric('errors.not_stored.count', e.not_stored.length)}`}</dd></div>
<div><dt>error→client p99</dt><dd>${metric('errors.error_to_client.p99', e.error_to_client.p99)} ms (max ${metric('errors.error_to_client.max', e.error_to_client.max)} ms)</dd></div>
</dl>
${list(
  'Not shown to every client',
  e.not_shown.map(
    (x) =>
      `<code>${esc(x.error_id)}</code> (${esc(x.severity)}): ${esc(String(x.clients_received))} of ${esc(String(r.clients))} clients`,
  ),
)}
${list(
  'Never stored',
  e.not_stored.map((x) => `<code>${esc(x.error_id)}</code> (${esc(x.severity)})`),
)}
</section>`;
}

/** The pages of the consumer's UI: error→page, each page's renders and problems, the errors never rendered. */
function browsers(r: RunReport): string {
  const b = r.browsers;
  if (b == null) return '';
  const rows = b.per_page.map(
    (p, i) =>
      `<tr><th scope="row">${i}</th>${(['shown', 'not_shown', 'console_errors', 'page_errors'] as const).map((k) => `<td class="num">${metric(`browsers.per_page.${i}.${k}`, p[k])}</td>`).join('')}<td>${p.problems.map((t) => `<code>${esc(t)}</code>`).join('<br>')}</td></tr>`,
  );
  const missed = r.errors?.not_rendered ?? [];
  return `<section aria-labelledby="h-browsers">
<h2 id="h-browsers">Errors rendered in the consumer's UI</h2>
<p>${metric('browsers.pages', b.pages)} headless pages of <code>${esc(b.url)}</code>, each to render ${metric('browsers.to_render', b.to_render)} errors; timed from each error's intended send time to its node entering the page.</p>
<dl class="facts">
<div><dt>error→page p50</dt><dd>${metric('browsers.error_to_page.p50', b.error_to_page.p50)} ms</dd></div>
<div><dt>error→page p99</dt><dd>${metric('browsers.error_to_page.p99', b.error_to_page.p99)} ms</dd></div>
<div><dt>max</dt><dd>${metric('browsers.error_to_page.max', b.error_to_page.max)} ms</dd></div>
<div><dt>renders</dt><dd>${metric('browsers.error_to_page.count', b.error_to_page.count)}</dd></div>
</dl>
<table>
<thead><tr><th scope="col">page</th><th scope="col">rendered</th><th scope="col">not rendered</th><th scope="col">console errors</th><th scope="col">exceptions</th><th scope="col">first problems</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${missed.length === 0 ? '' : `<h3>Never rendered</h3><ul>${missed.map((x) => `<li><code>${esc(x.error_id)}</code> (${esc(x.severity)}): missed by page ${esc(x.pages_missed.join(', '))}</li>`).join('')}</ul>`}
</section>`;
}

function lost(r: RunReport): string {
  const rows = r.lost.map(
    (l, i) =>
      `<tr><td><code>${metric(`lost.${i}.flow_id`, l.flow_id)}</code></td><td class="num">${metric(`lost.${i}.clients_received`, l.clients_received)} of ${esc(String(r.clients))}</td><td>${l.last_checkpoint === undefined ? 'not read' : metric(`lost.${i}.last_checkpoint`, l.last_checkpoint ?? 'none')}</td></tr>`,
  );
  const body =
    rows.length === 0
      ? '<p>none</p>'
      : `<table>
<thead><tr><th scope="col">flow_id</th><th scope="col">clients_received</th><th scope="col">stopped after</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
  return `<section aria-labelledby="h-lost">
<h2 id="h-lost">Lost flows: ${metric('lost.count', r.lost.length)}</h2>
<p>Flows some client never received within the grace period (the report lists the first 1,000).</p>
${body}
</section>`;
}

/** The whole page: no script runs in it (its CSP allows none), nothing is fetched. */
export function runReportHtml(r: RunReport): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`tickstock run: ${verdictText(r)} (${r.profile}, ${r.started_at})`)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${[header(r), thresholds(r), baseline(r), latency(r), timelineSection(r), delivery(r), checkpoints(r), errors(r), browsers(r), faultsSection(r), lost(r)].join('\n')}
</main>
<footer><p>The report as JSON (schema <code>${esc(r.schema)}</code>) is in this file: <code>script#report</code>.</p></footer>
<script type="application/json" id="report">${embeddedJson(r)}</script>
</body>
</html>
`;
}

/** `--out html=FILE`: one self-contained page, the JSON report embedded in it. */
export const htmlOutput = (path: string): RunOutput => ({
  name: `html=${path}`,
  write: (report) => writeFile(path, runReportHtml(report)),
});
