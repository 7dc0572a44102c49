import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { RunReport } from '../../src/contract/schemas/run-report.ts';
import {
  compareWithBaseline,
  DEFAULT_BASELINE_TOLERANCE,
  judgeAgainstBaseline,
  loadDifferences,
  type BaselineTolerance,
} from '../../src/run/baseline-comparison.ts';
import { parseBaselineReport } from '../../src/run/baseline-file.ts';
import { runReportHtml } from '../../src/run/outputs/html-output.ts';
import { junitOutput } from '../../src/run/outputs/junit-output.ts';
import { summaryLines } from '../../src/run/outputs/summary-output.ts';
import { overlayScenario, resolvePlan } from '../../src/run/run-plan.ts';
import { errorOf } from '../support/thrown.ts';

const FIXTURE = 'fixtures/run-reports/sub-ms-baseline.json';
const latency = (p: number) => ({ count: 1000, p50: p / 4, p90: p / 2, p99: p, p999: p * 1.5, max: p * 2 });

/** A passing run: 600 sent, every flow complete, no errors sent. */
const run: RunReport = {
  schema: 'tickstock-run/1',
  verdict: 'pass',
  started_at: '2026-12-02T18:20:00.000Z',
  elapsed_ms: 3012,
  profile: 'spec',
  clients: 5,
  load: { stages: [{ kind: 'steady', rate: 200, seconds: 3 }], warmup_seconds: 1 },
  thresholds: [{ name: 'lost', expr: 'lost == 0', value: 0, ok: true }],
  latency_ms: { publish_to_client: latency(8) },
  delivery: { sent: 600, received_min: 600, received_max: 600, foreign: 0, unreadable: 0 },
  warmup: null,
  lost: [],
  checkpoints: { recorded: true, chain: ['PATTERN_PUBLISHED'], complete: 600, incomplete_count: 0, hops: [], incomplete: [] },
  errors: null,
  floor: null,
  generator: { lateness_ms_p99: 0.5, lateness_ms_max: 2, malformed_sent: 0, aux_sent: 0, errors_sent: 0 },
};

const lostFlows = (n: number) => Array.from({ length: n }, (_, i) => ({ flow_id: `f-${i}`, clients_received: 0 }));
const withP99 = (r: RunReport, p99: number): RunReport => ({
  ...r,
  latency_ms: { publish_to_client: { ...r.latency_ms.publish_to_client, p99 } },
});
const errorsWith = (p99: number): RunReport['errors'] => ({
  sent: 4,
  generator_lateness_ms_p99: 0.1,
  to_show: 4,
  error_to_client: latency(p99),
  not_shown: [],
  to_store: 2,
  not_stored: [],
});

interface Case {
  readonly baseline: RunReport;
  readonly current: RunReport;
  readonly tolerance?: BaselineTolerance;
  /** The one comparison looked at, and what it should say. */
  readonly metric: string;
  readonly expected: { regressed: boolean; change_pct: number | null } | 'not compared';
}

const CASES: Readonly<Record<string, Case>> = {
  'p99 20 % and 2 ms worse: regressed': {
    baseline: withP99(run, 10),
    current: withP99(run, 12),
    metric: 'publish_to_client.p99',
    expected: { regressed: true, change_pct: 20 },
  },
  'p99 9 % worse: within the relative tolerance': {
    baseline: withP99(run, 10),
    current: withP99(run, 10.9),
    metric: 'publish_to_client.p99',
    expected: { regressed: false, change_pct: 9 },
  },
  'p99 0.2 → 0.5 ms (+150 %): sub-ms noise, within the absolute margin': {
    baseline: withP99(run, 0.2),
    current: withP99(run, 0.5),
    metric: 'publish_to_client.p99',
    expected: { regressed: false, change_pct: 150 },
  },
  'the same sub-ms change with no absolute margin: regressed': {
    baseline: withP99(run, 0.2),
    current: withP99(run, 0.5),
    tolerance: { relativePct: 10, latencyMs: 0 },
    metric: 'publish_to_client.p99',
    expected: { regressed: true, change_pct: 150 },
  },
  'p99 100 → 105 ms: 5 ms worse but only 5 %': {
    baseline: withP99(run, 100),
    current: withP99(run, 105),
    metric: 'publish_to_client.p99',
    expected: { regressed: false, change_pct: 5 },
  },
  'p99 100 → 125 ms with a 30 % tolerance: held': {
    baseline: withP99(run, 100),
    current: withP99(run, 125),
    tolerance: { relativePct: 30, latencyMs: 1 },
    metric: 'publish_to_client.p99',
    expected: { regressed: false, change_pct: 25 },
  },
  'p99 halved: an improvement never regresses': {
    baseline: withP99(run, 10),
    current: withP99(run, 5),
    metric: 'publish_to_client.p99',
    expected: { regressed: false, change_pct: -50 },
  },
  'generator lateness 0.5 → 3 ms: regressed': {
    baseline: run,
    current: { ...run, generator: { ...run.generator, lateness_ms_p99: 3 } },
    metric: 'generator_lateness.p99',
    expected: { regressed: true, change_pct: 500 },
  },
  'error_to_client p99 4 → 8 ms when both sent errors: regressed': {
    baseline: { ...run, errors: errorsWith(4) },
    current: { ...run, errors: errorsWith(8) },
    metric: 'error_to_client.p99',
    expected: { regressed: true, change_pct: 100 },
  },
  'error_to_client when the baseline sent none: not compared': {
    baseline: run,
    current: { ...run, errors: errorsWith(8) },
    metric: 'error_to_client.p99',
    expected: 'not compared',
  },
  'delivery 1 → 0.85 (15 % worse): regressed': {
    baseline: run,
    current: { ...run, delivery: { ...run.delivery, received_min: 510 } },
    metric: 'delivery',
    expected: { regressed: true, change_pct: -15 },
  },
  'delivery 1 → 0.95 (5 % worse): within the tolerance': {
    baseline: run,
    current: { ...run, delivery: { ...run.delivery, received_min: 570 } },
    metric: 'delivery',
    expected: { regressed: false, change_pct: -5 },
  },
  'lost 0 → 1: any loss against a clean baseline regresses (no change % from 0)': {
    baseline: run,
    current: { ...run, lost: lostFlows(1) },
    metric: 'lost',
    expected: { regressed: true, change_pct: null },
  },
  'lost 20 → 21 (+5 %): within the tolerance': {
    baseline: { ...run, lost: lostFlows(20) },
    current: { ...run, lost: lostFlows(21) },
    metric: 'lost',
    expected: { regressed: false, change_pct: 5 },
  },
  'flows complete 1 → 0.5: regressed': {
    baseline: run,
    current: { ...run, checkpoints: { ...run.checkpoints!, recorded: true, complete: 300 } } as RunReport,
    metric: 'flows_complete',
    expected: { regressed: true, change_pct: -50 },
  },
  'flows complete when this consumer records no checkpoints: not compared': {
    baseline: run,
    current: { ...run, checkpoints: { recorded: false, reason: 'none' } },
    metric: 'flows_complete',
    expected: 'not compared',
  },
  'publish_to_client when this run received nothing: not compared (delivery and lost say it)': {
    baseline: run,
    current: { ...run, latency_ms: { publish_to_client: { ...latency(0), count: 0 } } },
    metric: 'publish_to_client.p50',
    expected: 'not compared',
  },
};

describe('comparing a run with its baseline', () => {
  test.each(Object.entries(CASES))('%s', (_, c) => {
    const comparisons = compareWithBaseline(c.baseline, c.current, c.tolerance ?? DEFAULT_BASELINE_TOLERANCE);
    const found = comparisons.find((x) => x.metric === c.metric);
    if (c.expected === 'not compared') expect(found).toBeUndefined();
    else expect(found).toMatchObject(c.expected);
  });

  test('a run against itself compares every figure it has, and none regressed', () => {
    const comparisons = compareWithBaseline(run, run, DEFAULT_BASELINE_TOLERANCE);
    expect(comparisons.map((c) => c.metric)).toEqual([
      ...['p50', 'p90', 'p99', 'p999', 'max'].map((s) => `publish_to_client.${s}`),
      'generator_lateness.p99',
      'delivery',
      'lost',
      'flows_complete',
    ]);
    expect(comparisons.every((c) => !c.regressed && c.change_pct === 0)).toBe(true);
  });

  test('a regression fails the verdict and is counted; the section is a valid RunReport part', () => {
    const valid = new Ajv().compile(RunReport);
    const judged = judgeAgainstBaseline(withP99(run, 20), {
      file: 'main.json',
      report: run,
      tolerance: DEFAULT_BASELINE_TOLERANCE,
    });
    expect(valid(judged), JSON.stringify(valid.errors)).toBe(true);
    expect(judged.verdict).toBe('fail');
    expect(judged.baseline).toMatchObject({
      file: 'main.json',
      tolerance: { relative_pct: 10, latency_ms: 1 },
      load_differs: [],
      regressed: 1,
    });
    const held = judgeAgainstBaseline(run, { file: 'main.json', report: run, tolerance: DEFAULT_BASELINE_TOLERANCE });
    expect(held.verdict).toBe('pass');
    expect(held.baseline?.regressed).toBe(0);
  });

  test("a baseline of another shape is named, not refused: profile, clients, stages, warm-up; an older report's unrecorded load", () => {
    expect(loadDifferences(run, run)).toEqual([]);
    const other: RunReport = {
      ...run,
      profile: 'tickstockappv2',
      clients: 10,
      load: { stages: [{ kind: 'ramp', from: 10, rate: 200, seconds: 3 }], warmup_seconds: 0 },
    };
    expect(loadDifferences(other, run)).toEqual([
      'profile tickstockappv2 → spec',
      'clients 10 → 5',
      'load ramp 10→200/s over 3 s → steady 200/s for 3 s',
      'warm-up 0 s → 1 s',
    ]);
    const older: RunReport = { ...run, load: undefined };
    expect(loadDifferences(older, run)).toEqual(['load: not recorded in the baseline (an older report)']);
  });
});

describe('the baseline in the outputs', () => {
  const judged = judgeAgainstBaseline(withP99(run, 20), {
    file: 'reports/main.json',
    report: { ...run, clients: 10 },
    tolerance: DEFAULT_BASELINE_TOLERANCE,
  });

  test('the summary: a table of metric, baseline, now, change and ✓ or REGRESSED, and the load warning', () => {
    const text = summaryLines(judged).join('\n');
    expect(text).toMatch(/^run \(spec, 5 clients, 3\.0 s\): FAIL/);
    expect(text).toMatch(/baseline\s+reports\/main\.json: 1 of 9 figures REGRESSED/);
    expect(text).toMatch(/! The baseline ran another load \(clients 10 → 5\)/);
    expect(text).toMatch(/publish_to_client\.p99\s+8\.00 ms\s+20\.0 ms\s+\+150 %\s+REGRESSED/);
    expect(text).toMatch(/publish_to_client\.p50\s+2\.00 ms\s+2\.00 ms\s+0 %\s+✓/);
    expect(text).toMatch(/delivery\s+1\s+1\s+0 %\s+✓/);
  });

  test('JUnit: one testcase per compared figure, the regressed one failed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baseline-junit-'));
    try {
      await junitOutput(join(dir, 'run.xml')).write(judged);
      const xml = await readFile(join(dir, 'run.xml'), 'utf8');
      expect(xml).toMatch(/<testsuites name="tickstock run" tests="10" failures="1">/);
      expect(xml).toMatch(/<testsuite name="baseline \(reports\/main\.json\)" tests="9" failures="1"/);
      expect(xml).toMatch(
        /name="publish_to_client\.p99">\s*<failure message="publish_to_client\.p99 regressed: 20\.0 ms against 8\.00 ms \(\+150 %\)" type="BaselineRegressed"/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('HTML: a section with each comparison tagged, the warning, and the file escaped', () => {
    const html = runReportHtml({ ...judged, baseline: { ...judged.baseline!, file: '<b>x</b>' } });
    expect(html).toContain('data-metric="baseline.regressed">1<');
    expect(html).toMatch(/data-metric="baseline\.comparisons\.2\.metric">publish_to_client\.p99</);
    expect(html).toContain('data-metric="baseline.comparisons.2.regressed">REGRESSED<');
    expect(html).toContain('data-metric="baseline.comparisons.0.regressed">✓<');
    expect(html).toContain('class="warn">The baseline ran another load (clients 10 → 5)');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
  });
});

describe('the baseline file and its settings', () => {
  test('the fixture (a real report, latencies set to 0.01 ms) is a valid baseline', () => {
    const report = parseBaselineReport(readFileSync(FIXTURE, 'utf8'), FIXTURE);
    expect(report.latency_ms.publish_to_client.p99).toBe(0.01);
  });

  test.each([
    ['not JSON', '{"schema": ', /--baseline b\.json: not JSON/],
    ['another JSON', '{"schema": "tickstock-run/2"}', /--baseline b\.json: not a tickstock run report \("schema" is "tickstock-run\/2", not "tickstock-run\/1"\)/],
    [
      'a report missing a section',
      JSON.stringify({ ...run, latency_ms: undefined }),
      /--baseline b\.json: not a tickstock run report:\n {2}latency_ms: is required here/,
    ],
    ['a report with an unknown key', JSON.stringify({ ...run, client: 1 }), /unknown key 'client' \(did you mean 'clients'\?\)/],
  ])('%s: RUN_BASELINE naming the file and what is wrong', (_, text, message) => {
    const e = errorOf(() => parseBaselineReport(text, 'b.json'));
    expect(e.code).toBe('RUN_BASELINE');
    expect(e.message).toMatch(message);
  });

  test('defaults 10 % and 1 ms; flags win over the file; a tolerance without a baseline is refused', () => {
    expect(resolvePlan({}).baseline).toBeUndefined();
    expect(resolvePlan({ baseline: { file: 'main.json' } }).baseline).toEqual({
      file: 'main.json',
      tolerance: { relativePct: 10, latencyMs: 1 },
    });
    const file = { baseline: { file: 'main.json', tolerance_pct: 20, tolerance_ms: 2 } };
    expect(resolvePlan(overlayScenario(file, { baseline: { tolerance_pct: 5 } })).baseline).toEqual({
      file: 'main.json',
      tolerance: { relativePct: 5, latencyMs: 2 },
    });
    expect(errorOf(() => resolvePlan({ baseline: { tolerance_ms: 3 } })).code).toBe('RUN_BASELINE');
  });
});
