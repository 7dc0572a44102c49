import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RunReport } from '../../src/contract/schemas/run-report.ts';
import { htmlOutput, runReportHtml } from '../../src/run/outputs/html-output.ts';

const HOSTILE = '<script>alert(1)</script>';
const BREAKOUT = 'flow-</script><img src=x onerror=alert(2)>';

/** A failed run with a warm-up, losses and a threshold it could not measure. */
const plain: RunReport = {
  schema: 'tickstock-run/1',
  verdict: 'fail',
  started_at: '2026-12-02T18:20:00.000Z',
  elapsed_ms: 3012,
  profile: 'spec',
  clients: 3,
  thresholds: [
    { name: 'publish_to_client.p99', expr: 'publish_to_client.p99 < 100', value: 4.1, ok: true },
    { name: 'lost', expr: 'lost == 0', value: 2, ok: false },
    { name: 'error_to_client', expr: 'error_to_client.p99 < 5', value: null, ok: false },
  ],
  latency_ms: { publish_to_client: { count: 1800, p50: 1.2, p90: 2.3, p99: 4.1, p999: 6.2, max: 7 } },
  delivery: { sent: 600, received_min: 598, received_max: 600, foreign: 0, unreadable: 4 },
  warmup: {
    seconds: 1,
    sent: 200,
    publish_to_client: { count: 600, p50: 2.1, p90: 9.8, p99: 99.9, p999: 120, max: 126 },
  },
  lost: [
    { flow_id: 'f-1', clients_received: 2, last_checkpoint: 'WEBSOCKET_DELIVERED' },
    { flow_id: 'f-2', clients_received: 0, last_checkpoint: 'PATTERN_PUBLISHED' },
  ],
  checkpoints: {
    recorded: true,
    chain: ['PATTERN_PUBLISHED', 'EVENT_RECEIVED', 'EVENT_PARSED', 'WEBSOCKET_DELIVERED'],
    complete: 599,
    incomplete_count: 1,
    hops: [
      {
        from: 'PATTERN_PUBLISHED',
        to: 'EVENT_RECEIVED',
        latency_ms: { count: 600, p50: 0.9, p90: 1.5, p99: 3.2, p999: 4, max: 4.4 },
      },
    ],
    incomplete: [{ flow_id: 'f-2', last_checkpoint: 'PATTERN_PUBLISHED' }],
  },
  errors: {
    sent: 4,
    generator_lateness_ms_p99: 0.3,
    to_show: 3,
    error_to_client: { count: 8, p50: 1.5, p90: 2, p99: 2.5, p999: 2.5, max: 2.6 },
    not_shown: [{ error_id: 'e-3', severity: 'warning', clients_received: 2 }],
    to_store: 2,
    not_stored: [{ error_id: 'e-4', severity: 'critical' }],
    not_rendered: [{ error_id: 'e-3', severity: 'warning', pages_missed: [1] }],
  },
  browsers: {
    pages: 2,
    url: 'http://127.0.0.1:8787/',
    to_render: 3,
    error_to_page: { count: 5, p50: 12, p90: 20, p99: 31.5, p999: 31.5, max: 31.5 },
    per_page: [
      { shown: 3, not_shown: 0, console_errors: 0, page_errors: 0, problems: [] },
      { shown: 2, not_shown: 1, console_errors: 1, page_errors: 0, problems: ['console: boom'] },
    ],
  },
  floor: {
    rate: 200,
    seconds: 3,
    publish_to_client: { count: 1800, p50: 0.8, p90: 1.1, p99: 2.2, p999: 3, max: 3.3 },
    generator_lateness_ms_p99: 0.4,
  },
  generator: { lateness_ms_p99: 1.1, lateness_ms_max: 3.4, malformed_sent: 6, aux_sent: 4, errors_sent: 2 },
  // The third second: nothing received (a consumer paused), so no latency and a gap in its lines.
  timeline: [
    { second: 0, sent: 200, delivered: 200, receipts: 600, p50_ms: 1.1, p99_ms: 3.9 },
    { second: 1, sent: 200, delivered: 199, receipts: 598, p50_ms: 1.3, p99_ms: 4.4 },
    { second: 2, sent: 200, delivered: 199, receipts: 0, p50_ms: null, p99_ms: null },
  ],
  histogram: {
    publish_to_client: [
      { from_ms: 0.5, to_ms: 1, count: 700 },
      { from_ms: 1, to_ms: 2, count: 1000 },
      { from_ms: 2, to_ms: 5, count: 0 },
      { from_ms: 5, to_ms: 10, count: 98 },
    ],
  },
};

/** The same run, its user- and consumer-given strings all trying to become markup. */
const hostile: RunReport = {
  ...plain,
  profile: `spec ${HOSTILE}`,
  thresholds: [
    { ...plain.thresholds[0]!, expr: `publish_to_client.p99 < 100 ${HOSTILE}` },
    { ...plain.thresholds[1]!, expr: `lost == 0 "'&` },
    plain.thresholds[2]!,
  ],
  lost: [
    { flow_id: BREAKOUT, clients_received: 2 },
    { flow_id: HOSTILE, clients_received: 0 },
  ],
  browsers: {
    ...plain.browsers!,
    per_page: [{ shown: 3, not_shown: 0, console_errors: 1, page_errors: 0, problems: [`console: ${HOSTILE}`] }],
  },
};

const EMBEDDED = /<script type="application\/json" id="report">([^]*?)<\/script>/;

/** The JSON the page carries, read back as a machine would: the one script element's text. */
function embedded(html: string): unknown {
  const text = EMBEDDED.exec(html)?.[1];
  if (text === undefined) return expect.fail('no <script type="application/json" id="report"> in the page');
  return JSON.parse(text);
}

describe('the HTML report', () => {
  test('the hand-built reports are valid RunReports (so the page is tested on what runs write)', () => {
    const valid = new Ajv().compile(RunReport);
    for (const r of [plain, hostile]) expect(valid(r), JSON.stringify(valid.errors)).toBe(true);
  });

  test('strings from users and consumers are escaped: the only element the page opens is its JSON script', () => {
    const html = runReportHtml(hostile);
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<\/script/g)).toHaveLength(1);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('flow-&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('lost == 0 &quot;&apos;&amp;');
    expect(html).toContain(`<title>tickstock run: FAIL (spec &lt;script&gt;`);
  });

  test('the embedded JSON round-trips equal to the report, and no string in it can close the script', () => {
    const html = runReportHtml(hostile);
    expect(EMBEDDED.exec(html)?.[1]).not.toContain('<');
    expect(embedded(html)).toEqual(hostile);
  });

  test('each figure carries data-metric, once, with its JSON value as text', () => {
    const html = runReportHtml(plain);
    const pairs = [...html.matchAll(/data-metric="([^"]+)">([^<]*)</g)].map(
      ([, name, text]) => [name ?? '', text ?? ''] as const,
    );
    const shown = Object.fromEntries(pairs);
    expect(Object.keys(shown)).toHaveLength(pairs.length);
    expect(shown).toMatchObject({
      verdict: 'FAIL',
      'publish_to_client.p50': '1.2',
      'publish_to_client.p999': '6.2',
      'publish_to_client.max': '7',
      'warmup.publish_to_client.p99': '99.9',
      'generator.lateness_ms_max': '3.4',
      'delivery.sent': '600',
      'delivery.received_min': '598',
      'lost.count': '2',
      'thresholds.0.ok': '✓',
      'thresholds.1.ok': '✗',
      'thresholds.2.value': 'not measured',
    });
    expect(html).toMatch(/payloads had no flow id or publish time/);
  });

  test('over time: p50/p99 and sent/delivered per second and the histogram, each point and bar its JSON figure', () => {
    const html = runReportHtml(plain);
    const shown = Object.fromEntries(
      [...html.matchAll(/data-metric="((?:timeline|histogram)\.[^"]+)">([^<]*)</g)].map(([, n, t]) => [n ?? '', t ?? ''] as const),
    );
    const expected: Record<string, string> = {};
    plain.timeline!.forEach((s, i) => {
      for (const key of ['sent', 'delivered', 'p50_ms', 'p99_ms'] as const)
        if (s[key] !== null) expected[`timeline.${i}.${key}`] = String(s[key]);
    });
    plain.histogram!.publish_to_client.forEach((b, i) => {
      for (const key of ['from_ms', 'to_ms', 'count'] as const)
        expected[`histogram.publish_to_client.${i}.${key}`] = String(b[key]);
    });
    expect(shown).toEqual(expected); // a null is no point: nothing shown for the third second's latency
    // Each series one line through its points; the p99 line breaks where nothing was received.
    const series = (label: string) =>
      new RegExp(`<g data-series="${label}">([^]*?)</g>`).exec(html)?.[1] ?? expect.fail(`no ${label} series`);
    const polylines = (g: string) => [...g.matchAll(/<polyline[^>]* points="([^"]+)"/g)].map((m) => m[1]!.split(' '));
    expect(polylines(series('p99')).map((p) => p.length)).toEqual([2]);
    expect(polylines(series('sent')).map((p) => p.length)).toEqual([3]);
    // Higher is higher on the page: the p99 line's points rise (smaller y) with the JSON's 3.9 → 4.4.
    const [first, second] = polylines(series('p99'))[0]!.map((p) => Number(p.split(',')[1]));
    expect(second!).toBeLessThan(first!);
    // The histogram's tallest bar is its largest count.
    const histogram = /aria-label="publish→client receipts per latency bucket[^]*?<\/svg>/.exec(html)?.[0] ?? '';
    const heights = [...histogram.matchAll(/<rect class="bar-measured" x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"/g)].map(
      (m) => Number(m[1]),
    );
    expect(heights.indexOf(Math.max(...heights))).toBe(1);
    expect(heights[2]).toBe(0);
  });

  test('a report written before the timeline existed (a baseline) still renders, without the section', () => {
    const old: RunReport = { ...plain };
    delete old.timeline;
    delete old.histogram;
    const valid = new Ajv().compile(RunReport);
    expect(valid(old), JSON.stringify(valid.errors)).toBe(true);
    expect(runReportHtml(old)).not.toContain('h-timeline');
  });

  test('each fault gets a row (window, sent, delivered, lost, errors lost, recovery) and its lost ids', () => {
    const fault = {
      label: 'redis_restart',
      kind: 'redis:restart',
      spec: 'at=1s redis:restart',
      at_ms: 1000,
      started_ms: 1001,
      ended_ms: 1071,
      sent: 25,
      delivered: 23,
      lost: ['f-1', 'f-2'],
      lost_count: 2,
      errors_sent: 1,
      errors_lost: [],
      recovery_ms: 60.3,
    };
    const report: RunReport = { ...plain, faults: [fault, { ...fault, label: 'x', started_ms: null, recovery_ms: null }] };
    const valid = new Ajv().compile(RunReport);
    expect(valid(report), JSON.stringify(valid.errors)).toBe(true);
    const html = runReportHtml(report);
    const shown = Object.fromEntries(
      [...html.matchAll(/data-metric="(faults\.[^"]+)">([^<]*)</g)].map(([, name, text]) => [name ?? '', text ?? '']),
    );
    expect(shown).toMatchObject({
      'faults.0.label': 'redis_restart',
      'faults.0.sent': '25',
      'faults.0.delivered': '23',
      'faults.0.lost_count': '2',
      'faults.0.errors_lost.count': '0',
      'faults.0.recovery_ms': '60.3',
      'faults.1.recovery_ms': 'none',
    });
    expect(html).toMatch(/<h3>Lost in redis_restart<\/h3><p><code>f-1<\/code> <code>f-2<\/code>/);
    expect(html).toMatch(/not run/);
    expect(runReportHtml(plain)).not.toContain('h-faults');
  });

  test('a run without warm-up or losses shows neither a warm-up column nor a lost table, and says none', () => {
    const html = runReportHtml({ ...plain, warmup: null, lost: [] });
    expect(html).not.toContain('data-metric="warmup.');
    expect(html).not.toContain('bar-warmup"');
    expect(html).toMatch(/data-metric="lost\.count">0<\/span><\/h2>[^]*?<p>none<\/p>/);
  });

  test('the page is self-contained: no URL to fetch, an SVG chart with a role and a label', () => {
    const html = runReportHtml(plain);
    // In the markup: a URL in the text (the page --browsers opened) is a figure of the report, not a fetch.
    const tags = html.match(/<[^>]*>/g)!.join('');
    expect(tags).not.toMatch(/\b(src|href)=|https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
    expect(html).not.toMatch(/url\(|@import/);
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<svg class="chart" role="img" aria-label="publish→client latency[^"]*p99 4\.10 ms/);
  });
});

describe('htmlOutput', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'html-output-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('writes the page to its path, named html=PATH', async () => {
    const path = join(dir, 'run.html');
    const output = htmlOutput(path);
    expect(output.name).toBe(`html=${path}`);
    await output.write(hostile);
    expect(embedded(await readFile(path, 'utf8'))).toEqual(hostile);
  });
});
