import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Server } from 'socket.io';
import { beforeAll, describe, expect, test } from 'vitest';
import { Ajv } from 'ajv';
import { RunReport } from '../../src/contract/schemas/run-report.ts';
import { startAppV2StandIn } from '../support/appv2-stand-in.ts';
import { launchBrowser } from '../support/browser.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { runCli, type CliRun } from '../support/run-cli.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
const validReport = new Ajv().compile<RunReport>(RunReport);
let dir: string;
beforeAll(async () => {
  dir = await runTempDir('run-command-');
});

/** Our reference consumer as its own process (so it can be paused), and its Socket.IO origin. */
async function startConsumer(): Promise<{ run: CliRun; url: string }> {
  const run = runCli(['consumer'], {
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    CONSUMER_PORT: '0',
    ERROR_SPILL_PATH: join(dir, `spill-${process.hrtime.bigint()}.jsonl`),
  });
  await run.waitFor(/consumer: http:\/\/127\.0\.0\.1:\d+/, 30_000);
  return { run, url: /consumer: (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())![1]! };
}

async function stop(consumer: CliRun): Promise<void> {
  consumer.child.kill('SIGINT');
  await withDeadline(consumer.exited, 20_000, 'the consumer to stop');
}

function tickstockRun(url: string, args: readonly string[]): { run: CliRun; json: string; junit: string } {
  const name = `run-${process.hrtime.bigint()}`;
  const json = join(dir, `${name}.json`);
  const junit = join(dir, `${name}.xml`);
  const run = runCli(['run', '--socketio-url', url, '--out', `json=${json}`, '--junit', junit, ...args], {
    REDIS_URL: services.redisUrl,
    DATABASE_URL: services.databaseUrl,
  });
  return { run, json, junit };
}

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

/** The JSON report, checked against its published schema (contract/schemas/run-report.schema.json). */
async function report(path: string): Promise<RunReport> {
  const body: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!validReport(body))
    expect.fail(`${path} does not match its schema: ${JSON.stringify(validReport.errors)}`);
  return body;
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
    const r = await report(json);
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
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="tickstock run" tests="4" failures="0">/);

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
    };
    for (const [metric, value] of Object.entries(expected))
      expect(page.shown.get(metric), `data-metric="${metric}"`).toBe(value);
  }, 120_000);

  test('a consumer paused for 3 s fails publish_to_client.p99 with exit 99, and loses nothing once it resumes', async () => {
    const consumer = await startConsumer();
    try {
      const { run, json, junit } = tickstockRun(consumer.url, [
        ...['--rate', '200', '--duration', '5', '--clients', '3', '--grace', '10'],
        ...['--threshold', 'publish_to_client.p99 < 1500', '--threshold', 'lost == 0'],
      ]);
      await run.waitFor(/received \(fewest\) [1-9]/, 30_000);
      consumer.run.child.kill('SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 3000)); // the fault itself is a length of time
      consumer.run.child.kill('SIGCONT');
      expect(await withDeadline(run.exited, 60_000, 'the run to end'), run.output()).toBe(99);
      const r = await report(json);
      expect(r.verdict).toBe('fail');
      expect(r.lost).toEqual([]);
      expect(r.thresholds[0]).toMatchObject({ name: 'publish_to_client.p99', ok: false });
      expect(r.thresholds[0]!.value).toBeGreaterThan(1500);
      expect(r.thresholds[1]).toMatchObject({ name: 'lost', value: 0, ok: true });
      expect(run.output()).toMatch(/✗ publish_to_client\.p99 < 1500/);
      expect(await readFile(junit, 'utf8')).toMatch(
        /failures="1"[^]*<failure message="publish_to_client\.p99 was/,
      );
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
    const r = await report(json);
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

  test('a consumer that never emits: every flow is in the ledger once the grace period ends, exit 99', async () => {
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'] });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const { run, json } = tickstockRun(url, [
        ...['--rate', '50', '--duration', '1', '--clients', '3', '--workers', '2'],
        ...['--grace', '1', '--no-db'],
      ]);
      expect(await withDeadline(run.exited, 30_000, 'the run to end'), run.output()).toBe(99);
      const r = await report(json);
      expect(r.delivery.sent).toBe(50);
      expect(r.lost).toHaveLength(50);
      expect(r.lost.every((l) => l.clients_received === 0)).toBe(true);
      expect(run.output()).toMatch(/lost\s+50 flows/);
    } finally {
      await io.close();
    }
  }, 60_000);

  test('the deployed consumer (a stand-in speaking tickstockappv2): its profile finds every flow; the spec profile finds none and says why', async () => {
    const appv2 = await startAppV2StandIn(services.redisUrl);
    try {
      const args = ['--rate', '50', '--duration', '1', '--clients', '2', '--grace', '1'];
      const right = tickstockRun(appv2.url, [...args, '--profile', 'tickstockappv2']);
      expect(await withDeadline(right.run.exited, 30_000, 'the run to end'), right.run.output()).toBe(0);
      const rightReport = await report(right.json);
      expect(rightReport.delivery).toMatchObject({ sent: 50, received_min: 50, unreadable: 0 });
      // It writes no consumer checkpoints: said so, never "every flow incomplete".
      expect(rightReport.checkpoints).toMatchObject({ recorded: false });
      expect(right.run.output()).toMatch(
        /checkpoints\s+this consumer records no checkpoints \(profile tickstockappv2\)/,
      );

      const wrong = tickstockRun(appv2.url, [...args, '--no-db', '--profile', 'spec']);
      expect(await withDeadline(wrong.run.exited, 30_000, 'the run to end'), wrong.run.output()).toBe(99);
      const r = await report(wrong.json);
      expect(r.lost).toHaveLength(50);
      expect(r.delivery.unreadable).toBe(100);
      expect(wrong.run.output()).toMatch(
        /100 payloads had no flow id or publish time where profile spec looks: is --profile right/,
      );
    } finally {
      await appv2.close();
    }
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
      const r = await report(json);
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
