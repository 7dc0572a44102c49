/*
 * npm run bench:errors — spec 004's targets on real services, against `tickstock consumer`: publish →
 * rendered in the dashboard (200 errors at 8/s, the throttle's steady regime) as `tickstock run
 * --browsers 1` times it, beside the same errors at a bare Socket.IO client; dashboard load, and /api/errors/recent under 100
 * connections over 1,000,000 stored errors (with and without the response cache, compressed or not).
 * Prints the figures; writes reports/bench-errors.json.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { RunReport } from '../../src/contract/schemas/run-report.ts';
import { formatMs } from '../../src/shared/latency-histogram.ts';
import { launchBrowser } from '../support/browser.ts';
import { consumerCli, consumerUrl } from '../support/consumer-cli.ts';
import { runCli, type CliRun } from '../support/run-cli.ts';
import { withBenchServices } from './load/bench-services.ts';
import { measureDashboardLoad, measureHttp, seedErrors, type HttpLoadResult } from './error-load.ts';

const show = (label: string, r: HttpLoadResult) =>
  console.log(
    `  ${label.padEnd(44)} ${Math.round(r.requestsPerSecond).toLocaleString('en-US').padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  max ${r.latency.max} ms  errors ${r.errors + r.non2xx}`,
  );
const latency = (l: { p50: number; p90: number; p99: number; max: number } | null | undefined) =>
  l
    ? `p50 ${formatMs(l.p50)}  p90 ${formatMs(l.p90)}  p99 ${formatMs(l.p99)}  max ${formatMs(l.max)}`
    : 'none';

const consumers: CliRun[] = [];
const browser = await launchBrowser();
try {
  await withBenchServices('errors', async ({ services, setting, registry, freshDatabase }) => {
    const databaseUrl = await freshDatabase();
    const urls = { databaseUrl, redisUrl: services.redis.url };
    const consumerAt = async (apiCacheMs: number): Promise<string> => {
      const run = consumerCli(urls, registry.dir, { ERROR_API_CACHE_MS: String(apiCacheMs) });
      consumers.push(run);
      return consumerUrl(run, 30_000);
    };
    const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const url = await consumerAt(250);

    // The one load path: `tickstock run` against the consumer, a page of its dashboard timing each render.
    const json = join(registry.dir, 'errors-run.json');
    const run = runCli(
      [
        ...[
          'run',
          '--socketio-url',
          url,
          '--browsers',
          '1',
          '--clients',
          '1',
          '--rate',
          '1',
          '--duration',
          '25',
        ],
        ...['--errors', '8', '--error-severities', 'warning:1,error:1,critical:1', '--seed', '4'],
        ...['--threshold', 'errors_not_rendered == 0', '--out', `json=${json}`],
      ],
      { REDIS_URL: urls.redisUrl, DATABASE_URL: databaseUrl },
    );
    const code = await run.exited;
    if (code !== 0) throw new Error(`tickstock run exited ${String(code)}:\n${run.output()}`);
    const report = JSON.parse(await readFile(json, 'utf8')) as RunReport;
    const display = report.browsers?.error_to_page;
    console.log(
      `\npublish → rendered in the dashboard (${report.errors?.sent ?? 0} errors at 8/s, tickstock run --browsers 1): ${latency(display)}`,
    );
    console.log(
      `  the same errors → a Socket.IO client (no page):   ${latency(report.errors?.error_to_client)}`,
    );
    console.log(
      `  the generator's lateness: p99 ${formatMs(report.generator.lateness_ms_p99)}  max ${formatMs(report.generator.lateness_ms_max)}`,
    );

    const seeded = Date.now();
    await seedErrors(db, 1_000_000);
    console.log(`\nseeded 1,000,000 errors in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
    const loads = await measureDashboardLoad(browser, `${url}/dashboard`, 7);
    const sorted = [...loads].sort((a, b) => a - b);
    console.log(
      `dashboard load (navigation → errors, counts and health shown): first ${loads[0]!.toFixed(0)} ms, median ${sorted[3]!.toFixed(0)} ms, max ${sorted[6]!.toFixed(0)} ms`,
    );

    console.log('\n/api/errors/recent (limit 100), 100 connections, 10 s, autocannon in its own process:');
    const gzip = await measureHttp(`${url}/api/errors/recent`, 100, 10, [
      'accept-encoding: gzip, deflate, br',
    ]);
    show('cached 250 ms, gzip (as a browser asks)', gzip);
    const identity = await measureHttp(`${url}/api/errors/recent`, 100, 10);
    show('cached 250 ms, uncompressed', identity);
    const uncached = await measureHttp(`${await consumerAt(0)}/api/errors/recent`, 100, 10);
    show('no cache (ERROR_API_CACHE_MS=0): a query each', uncached);

    await mkdir('reports', { recursive: true });
    const out = {
      bench: 'errors',
      setting,
      display,
      errorToClient: report.errors?.error_to_client ?? null,
      generatorLatenessP99: report.generator.lateness_ms_p99,
      dashboardLoadMs: loads,
      recentApi: { gzip, identity, uncached },
    };
    await writeFile('reports/bench-errors.json', `${JSON.stringify(out, null, 2)}\n`);
    console.log('\nreport: reports/bench-errors.json');
    await db.end();
  });
} finally {
  for (const c of consumers) c.child.kill('SIGTERM');
  await browser.close();
}
