import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { startAppV2StandIn } from '../support/appv2-stand-in.ts';
import { launchBrowser } from '../support/browser.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { consumerCli, consumerUrl } from '../support/consumer-cli.ts';
import { runCli, type CliRun } from '../support/run-cli.ts';
import { readJUnit } from '../support/junit-schema.ts';
import { readRunReport, runAgainst } from '../support/run-reports.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
let dir: string;
beforeAll(async () => {
  dir = await runTempDir('run-command-');
});

/** Our reference consumer as its own process (so it can be paused), and its Socket.IO origin. */
async function startConsumer(): Promise<{ run: CliRun; url: string }> {
  const run = consumerCli(services, dir);
  return { run, url: await consumerUrl(run, 30_000) };
}

async function stop(consumer: CliRun): Promise<void> {
  consumer.child.kill('SIGINT');
  await withDeadline(consumer.exited, 20_000, 'the consumer to stop');
}

const tickstockRun = (url: string, args: readonly string[]) =>
  runAgainst(url, args, { dir, redisUrl: services.redisUrl, databaseUrl: services.databaseUrl });

/**
 * The HTML report opened from its file in a real Chromium: what each `data-metric` element shows, the JSON
 * embedded in it, and every console error, page error and request for anything but the file itself.
 */
async function openHtmlReport(
  path: string,
): Promise<{ shown: Map<string, string | null>; embedded: unknown; problems: string[] }> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    const url = pathToFileURL(path).href;
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (r.url() !== url) problems.push(`request: ${r.url()}`);
    });
    await page.goto(url, { waitUntil: 'load' });
    const shown = new Map<string, string | null>();
    for (const element of await page.locator('[data-metric]').all()) {
      const metric = (await element.getAttribute('data-metric')) ?? '';
      if (shown.has(metric)) problems.push(`data-metric="${metric}" appears twice`);
      shown.set(metric, await element.textContent());
    }
    const embedded: unknown = JSON.parse(
      (await page.locator('script#report[type="application/json"]').textContent()) ?? 'null',
    );
    return { shown, embedded, problems };
  } finally {
    await browser.close();
  }
}

describe('tickstock run against a consumer', () => {
  test('--start reference with a scenario file: stages and a mix; after a warm-up it keeps up with 5 clients over 2 workers, every flow has its four checkpoints, thresholds hold, exit 0, JSON, JUnit and HTML agree', async () => {
    const name = `start-${process.hrtime.bigint()}`;
    const [json, junit, html, scenario] = ['json', 'xml', 'html', 'yaml'].map((ext) =>
      join(dir, `${name}.${ext}`),
    ) as [string, string, string, string];
    await writeFile(
      scenario,
      [
        'load:',
        '  seed: 7',
        '  warmup: 1',
        '  stages:',
        '    - { kind: steady, rate: 200, seconds: 1 }',
        '    - { kind: ramp, rate: 300, seconds: 1 }',
        "mix: { malformed: 0.05, errors: 2, error_severities: 'warning:1,error:1,critical:1', backtest: 1, health: 1, heartbeat: 1 }",
        'clients: { socketio: 9, workers: 2 }',
        'thresholds: [publish_to_client.p99 < 2000]',
      ].join('\n'),
    );
    // Flags win over the file: 5 clients, these thresholds.
    const run = runCli([
      ...['run', scenario, '--start', 'reference', '--clients', '5'],
      ...['--threshold', 'publish_to_client.p99 < 2000', '--threshold', 'lost == 0'],
      ...['--threshold', 'delivery >= 1', '--threshold', 'flows_complete >= 1'],
      ...['--out', `json=${json}`, '--out', `html=${html}`, '--junit', junit],
    ]);
    expect(await withDeadline(run.exited, 90_000, 'the run to end'), run.output()).toBe(0);
    expect(run.output()).toMatch(/services: postgres=/);
    expect(run.output()).toMatch(/steady 200\/s for 1 s, then ramp 200→300\/s over 1 s/);
    const r = await readRunReport(json);
    expect(r).toMatchObject({
      schema: 'tickstock-run/1',
      verdict: 'pass',
      profile: 'spec',
      clients: 5,
      lost: [],
    });
    const { sent } = r.delivery;
    // 200 in the steady second, about 250 in the ramp's; 5 % of them malformed, which are no flow.
    expect(sent + r.generator.malformed_sent).toBeGreaterThanOrEqual(440);
    expect(sent + r.generator.malformed_sent).toBeLessThanOrEqual(460);
    expect(r.generator.malformed_sent).toBeGreaterThan(5);
    expect(r.generator.errors_sent).toBe(4);
    // Every error shown to every client and, from error up, stored (spec 004's routing).
    expect(r.errors).toMatchObject({ sent: 4, to_show: 4, not_shown: [], not_stored: [] });
    expect(r.errors?.to_store).toBeGreaterThanOrEqual(1);
    expect(r.errors?.error_to_client.count).toBe(20);
    expect(run.output()).toMatch(/error→client\s+p50/);
    expect(r.generator.aux_sent).toBeGreaterThanOrEqual(2);
    expect(r.delivery).toEqual({ sent, received_min: sent, received_max: sent, foreign: 0, unreadable: 0 });
    expect(r.latency_ms.publish_to_client.count).toBe(sent * 5);
    expect(r.checkpoints).toMatchObject({
      recorded: true,
      chain: ['PATTERN_PUBLISHED', 'EVENT_RECEIVED', 'EVENT_PARSED', 'WEBSOCKET_DELIVERED'],
      complete: sent,
      incomplete_count: 0,
    });
    expect(r.checkpoints?.recorded && r.checkpoints.hops.map((h) => h.latency_ms.count)).toEqual([
      sent,
      sent,
      sent,
    ]);
    // The warm-up's flows are timed apart: not in the figures, not in the ledger.
    expect(r.warmup).toMatchObject({ seconds: 1, sent: 200, publish_to_client: { count: 1000 } });
    expect(run.output()).toMatch(
      /warm-up\s+1 s, 200 events before the measured window: p99 .* \(not judged\)/,
    );
    expect(r.thresholds.map((t) => t.ok)).toEqual([true, true, true, true]);
    expect(run.output()).toMatch(/run \(spec, 5 clients, [\d.]+ s\): PASS/);
    expect(run.output().match(/run \(spec, 5 clients/g)).toHaveLength(1); // each line printed once
    expect(run.output()).toMatch(/generator lateness\s+p99/);
    expect(run.output()).toMatch(/flows complete\s+\d+ of \d+ with PATTERN_PUBLISHED → EVENT_RECEIVED/);
    const xml = await readJUnit(junit);
    expect(xml).toMatch(/<testsuites name="tickstock run" tests="4" failures="0">/);

    // Second by second: every flow in its second, every receipt timed; the histogram holds every receipt.
    const timeline = r.timeline ?? [];
    expect(timeline.reduce((n, s) => n + s.sent, 0)).toBe(sent);
    expect(timeline.reduce((n, s) => n + s.delivered, 0)).toBe(sent);
    expect(timeline.reduce((n, s) => n + s.receipts, 0)).toBe(sent * 5);
    const buckets = r.histogram?.publish_to_client ?? [];
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(sent * 5);

    const page = await openHtmlReport(html);
    expect(page.problems).toEqual([]);
    expect(page.embedded).toEqual(r);
    const p = r.latency_ms.publish_to_client;
    const expected: Record<string, string> = {
      verdict: r.verdict.toUpperCase(),
      'publish_to_client.p50': String(p.p50),
      'publish_to_client.p99': String(p.p99),
      'publish_to_client.max': String(p.max),
      'delivery.sent': String(r.delivery.sent),
      'lost.count': String(r.lost.length),
      'checkpoints.complete': String(sent),
      'generator.malformed_sent': String(r.generator.malformed_sent),
      ...Object.fromEntries(r.thresholds.map((t, i) => [`thresholds.${i}.ok`, t.ok ? '✓' : '✗'])),
      ...Object.fromEntries(
        timeline.flatMap((s, i): [string, string][] => [
          [`timeline.${i}.sent`, String(s.sent)],
          [`timeline.${i}.delivered`, String(s.delivered)],
          ...(s.p99_ms === null ? [] : [[`timeline.${i}.p99_ms`, String(s.p99_ms)] as [string, string]]),
        ]),
      ),
      ...Object.fromEntries(
        buckets.map((b, i) => [`histogram.publish_to_client.${i}.count`, String(b.count)]),
      ),
    };
    for (const [metric, value] of Object.entries(expected))
      expect(page.shown.get(metric), `data-metric="${metric}"`).toBe(value);
  }, 120_000);

  test('--baseline: against a report whose latencies are 0.01 ms, the same load regresses publish_to_client (exit 99, thresholds held), listed in the summary, the JSON, JUnit and the --html page', async () => {
    const name = `baseline-${process.hrtime.bigint()}`;
    const [json, junit, html] = ['json', 'xml', 'html'].map((ext) => join(dir, `${name}.${ext}`)) as [
      string,
      string,
      string,
    ];
    // The fixture's own shape: 2 clients, steady 100/s for 2 s, no warm-up.
    const run = runCli([
      ...'run --start reference --rate 100 --duration 2 --clients 2 --grace 1'.split(' '),
      ...['--baseline', 'fixtures/run-reports/sub-ms-baseline.json', '--baseline-tolerance', '10%'],
      // Not the default p99 bound: a busy machine may miss it, and this test is about the baseline alone.
      ...['--threshold', 'lost == 0'],
      ...['--out', `json=${json}`, '--junit', junit, '--html', html],
    ]);
    expect(await withDeadline(run.exited, 60_000, 'the run to end'), run.output()).toBe(99);
    const r = await readRunReport(json);
    expect(r.thresholds.every((t) => t.ok)).toBe(true); // the baseline alone failed it
    expect(r.verdict).toBe('fail');
    const b = r.baseline!;
    expect(b).toMatchObject({ file: 'fixtures/run-reports/sub-ms-baseline.json', load_differs: [] });
    const p99 = b.comparisons.find((c) => c.metric === 'publish_to_client.p99');
    expect(p99).toMatchObject({ baseline: 0.01, regressed: true });
    expect(b.regressed).toBe(b.comparisons.filter((c) => c.regressed).length);
    expect(b.comparisons.find((c) => c.metric === 'lost')).toMatchObject({ baseline: 0, regressed: false });
    expect(run.output()).toMatch(
      /baseline\s+fixtures\/run-reports\/sub-ms-baseline\.json: \d+ of \d+ figures REGRESSED/,
    );
    expect(run.output()).toMatch(/publish_to_client\.p99\s+0\.01 ms\s+\S+ ms\s+\+\d+ %\s+REGRESSED/);
    expect(run.output()).not.toMatch(/another load/);
    const xml = await readJUnit(junit);
    expect(xml).toMatch(
      /<testsuite name="baseline \(fixtures\/run-reports\/sub-ms-baseline\.json\)" tests="9"/,
    );
    expect(xml).toMatch(/<failure message="publish_to_client\.p99 regressed: /);
    expect(await readFile(html, 'utf8')).toContain(`data-metric="baseline.regressed">${b.regressed}<`);
  }, 90_000);

  test('--start reference --browsers 2 --errors 5: both pages of the dashboard render every error spec 004 shows (warning and up), error_to_page from the intended send time, no console errors, the reports agree', async () => {
    const name = `browsers-${process.hrtime.bigint()}`;
    const [json, html] = ['json', 'html'].map((ext) => join(dir, `${name}.${ext}`)) as [string, string];
    const run = runCli([
      ...['run', '--start', 'reference', '--browsers', '2', '--errors', '5', '--seed', '11'],
      ...['--error-severities', 'info:1,warning:2,error:2,critical:1', '--rate', '50', '--duration', '4'],
      ...[
        '--clients',
        '2',
        '--threshold',
        'error_to_page.p99 < 1000',
        '--threshold',
        'errors_not_rendered == 0',
      ],
      ...['--threshold', 'page_errors == 0', '--out', `json=${json}`, '--out', `html=${html}`],
    ]);
    expect(await withDeadline(run.exited, 90_000, 'the run to end'), run.output()).toBe(0);
    expect(run.output()).toMatch(/browser: /);
    expect(run.output()).toMatch(/, 2 clients, 2 browser pages, seed 11/);
    const r = await readRunReport(json);
    const e = r.errors!;
    expect(e.sent).toBe(20);
    // The info ones are only logged (spec 004 §2): the pages must render the rest, no more is asked.
    expect(e.to_show).toBeGreaterThan(0);
    expect(e.to_show).toBeLessThan(20);
    expect(e.not_rendered).toEqual([]);
    const b = r.browsers!;
    expect(b).toMatchObject({ pages: 2, to_render: e.to_show });
    expect(b.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(b.per_page).toEqual(
      [0, 1].map(() => ({ shown: e.to_show, not_shown: 0, console_errors: 0, page_errors: 0, problems: [] })),
    );
    expect(b.error_to_page.count).toBe(2 * e.to_show!);
    expect(b.error_to_page.p99).toBeLessThan(1000);
    expect(r.thresholds.map((t) => [t.name, t.ok])).toEqual([
      ['error_to_page.p99', true],
      ['errors_not_rendered', true],
      ['page_errors', true],
    ]);
    expect(run.output()).toMatch(
      new RegExp(
        `browsers\\s+2 pages of .*: rendered ${e.to_show} of ${e.to_show} errors on each page; no console errors`,
      ),
    );
    expect(run.output()).toMatch(/error→page\s+p50 .* \(\d+ renders, from the intended send time\)/);
    const page = await openHtmlReport(html);
    expect(page.problems).toEqual([]);
    expect(page.shown.get('browsers.error_to_page.p99')).toBe(String(b.error_to_page.p99));
    expect(page.shown.get('browsers.per_page.1.shown')).toBe(String(e.to_show));
    console.log(
      `[e2e] error_to_page over 2 pages: ${JSON.stringify(b.error_to_page)}; error_to_client: ${JSON.stringify(e.error_to_client)}`,
    );
  }, 120_000);

  test('a consumer paused for 3 s fails publish_to_client.p99 with exit 99, and loses nothing once it resumes', async () => {
    const consumer = await startConsumer();
    try {
      const { run, json, junit } = tickstockRun(consumer.url, [
        ...['--rate', '200', '--duration', '5', '--clients', '3', '--grace', '10'],
        ...['--threshold', 'publish_to_client.p99 < 1500', '--threshold', 'lost == 0'],
      ]);
      // Paused once the load reaches the clients. Not the run's progress line: off a terminal it prints
      // every 5 s, and its first one, at 1 s, once still said 0 in CI.
      await pollUntil(
        async () => {
          const health = (await (await fetch(`${consumer.url}/health`)).json()) as {
            counters: { events_forwarded: number };
          };
          return health.counters.events_forwarded > 0;
        },
        { timeoutMs: 30_000, what: 'the consumer to forward the first events', seen: () => run.output() },
      );
      consumer.run.child.kill('SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 3000)); // the fault itself is a length of time
      consumer.run.child.kill('SIGCONT');
      expect(await withDeadline(run.exited, 60_000, 'the run to end'), run.output()).toBe(99);
      const r = await readRunReport(json);
      expect(r.verdict).toBe('fail');
      expect(r.lost).toEqual([]);
      expect(r.thresholds[0]).toMatchObject({ name: 'publish_to_client.p99', ok: false });
      expect(r.thresholds[0]!.value).toBeGreaterThan(1500);
      expect(r.thresholds[1]).toMatchObject({ name: 'lost', value: 0, ok: true });
      expect(run.output()).toMatch(/✗ publish_to_client\.p99 < 1500/);
      expect(await readJUnit(junit)).toMatch(/failures="1"[^]*<failure message="publish_to_client\.p99 was/);
    } finally {
      await stop(consumer.run);
    }
  }, 90_000);

  test('a consumer killed mid-run: the run ends after its grace period listing exactly the flows no client got, exit 99', async () => {
    const consumer = await startConsumer();
    const { run, json } = tickstockRun(consumer.url, [
      ...['--rate', '200', '--duration', '3', '--clients', '3', '--grace', '1'],
      ...['--threshold', 'lost == 0'],
    ]);
    await run.waitFor(/received \(fewest\) [1-9]/, 30_000);
    consumer.run.child.kill('SIGKILL');
    expect(await withDeadline(run.exited, 60_000, 'the run to end'), run.output()).toBe(99);
    const r = await readRunReport(json);
    expect(r.delivery.sent).toBe(600);
    expect(r.lost.length).toBeGreaterThan(0);
    // Lost is what some client lacks: at least what the best-served client lacks, at most what the worst one lacks.
    expect(r.lost.length).toBeGreaterThanOrEqual(r.delivery.sent - r.delivery.received_max);
    expect(r.lost.length).toBeLessThanOrEqual(r.delivery.sent - r.delivery.received_min);
    expect(r.lost.every((l) => l.clients_received < 3)).toBe(true);
    expect(new Set(r.lost.map((l) => l.flow_id)).size).toBe(r.lost.length);
    // Each lost flow says where it stopped: the producer recorded it, the killed consumer got no further.
    expect(r.lost.every((l) => typeof l.last_checkpoint === 'string')).toBe(true);
    expect(r.lost.at(-1)?.last_checkpoint).toBe('PATTERN_PUBLISHED');
    expect(run.output()).toMatch(/lost \S+: received by \d of 3 clients; stopped after PATTERN_PUBLISHED/);
  }, 60_000);

  test('the deployed consumer drops its error subscription when idle (a stand-in with a short gap): errors published in the gap are listed as never stored, exit 99', async () => {
    const table = `appv2_errors_${process.pid}_${Date.now()}`;
    const appv2 = await startAppV2StandIn(services.redisUrl, {
      databaseUrl: services.databaseUrl,
      table,
      idleDropMs: 300,
      resubscribeAfterMs: 1200,
    });
    try {
      const scenario = join(dir, `${table}.yaml`);
      // Its error table, described in the scenario: the message column holds each run error's id.
      await writeFile(
        scenario,
        [
          'profile: appv2db',
          'profiles:',
          '  appv2db:',
          '    extends: tickstockappv2',
          `    error_store: { table: ${table}, column: message, match: contains }`,
        ].join('\n'),
      );
      const { run, json } = tickstockRun(appv2.url, [
        ...[scenario, '--rate', '20', '--duration', '4', '--clients', '1', '--grace', '1'],
        ...['--errors', '3', '--error-severities', 'error:1', '--threshold', 'errors_lost == 0'],
      ]);
      expect(await withDeadline(run.exited, 30_000, 'the run to end'), run.output()).toBe(99);
      const r = await readRunReport(json);
      expect(r.delivery).toMatchObject({ sent: 80, received_min: 80 });
      const e = r.errors!;
      expect(e.sent).toBe(12);
      expect(e.to_show).toBeNull(); // it pushes no errors to clients
      expect(e.to_store).toBe(12);
      // What it never stored is exactly what it never saw: published while it was not subscribed.
      expect(e.not_stored.length).toBeGreaterThan(0);
      expect(e.not_stored.length).toBeLessThan(12);
      const seen = appv2.errorsSeen();
      for (const missing of e.not_stored) expect(seen.some((m) => m.includes(missing.error_id))).toBe(false);
      expect(r.thresholds[0]).toMatchObject({ name: 'errors_lost', ok: false, value: e.not_stored.length });
      expect(run.output()).toMatch(/errors\s+12 sent; shown: not checked \(profile appv2db pushes no errors/);
      expect(run.output()).toMatch(/not stored \S+ \(error\)/);
    } finally {
      await appv2.close();
    }
  }, 60_000);
});
