/*
 * npm run bench:errors — spec 004's targets on real services: publish → rendered in the dashboard
 * (200 errors at 8/s, the throttle's steady regime), dashboard load, and /api/errors/recent under 100
 * connections over 1,000,000 stored errors (with and without the response cache, compressed or not).
 * Prints the figures; writes reports/bench-errors.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { formatMs } from '../../src/shared/latency-histogram.ts';
import { launchBrowser } from '../support/browser.ts';
import { withBenchServices } from './load/bench-services.ts';
import type { ConsumerProcessConfig } from './load/consumer-process.ts';
import {
  measureDashboardLoad,
  measureDisplayLatency,
  measureHttp,
  seedErrors,
  type HttpLoadResult,
} from './load/error-load.ts';
import { forkTs, nextMessage } from './load/ipc.ts';

const show = (label: string, r: HttpLoadResult) =>
  console.log(
    `  ${label.padEnd(44)} ${Math.round(r.requestsPerSecond).toLocaleString('en-US').padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  max ${r.latency.max} ms  errors ${r.errors + r.non2xx}`,
  );

const children: ReturnType<typeof forkTs>[] = [];
const browser = await launchBrowser();
try {
  await withBenchServices('errors', async ({ services, setting, registry, freshDatabase }) => {
    const databaseUrl = await freshDatabase();
    const consumerAt = async (apiCacheMs: number): Promise<string> => {
      const c: ConsumerProcessConfig = {
        redisUrl: services.redis.url,
        databaseUrl,
        tracking: 'integration_events',
        logFile: `${registry.dir}/consumer-${apiCacheMs}.log`,
        apiCacheMs,
      };
      const child = forkTs(new URL('./load/consumer-process.ts', import.meta.url), c);
      children.push(child);
      const ready = await nextMessage(child, 'ready', 30_000);
      return ready.type === 'ready' ? ready.url! : '';
    };
    const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const redis = new Redis(services.redis.url);
    const url = await consumerAt(250);

    const display = await measureDisplayLatency(browser, `${url}/dashboard`, redis, 200, 8);
    console.log(
      `\npublish → rendered in the dashboard (200 errors at 8/s): p50 ${formatMs(display.p50)}  p90 ${formatMs(display.p90)}  p99 ${formatMs(display.p99)}  max ${formatMs(display.max)}`,
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
    const report = {
      bench: 'errors',
      setting,
      display,
      dashboardLoadMs: loads,
      recentApi: { gzip, identity, uncached },
    };
    await writeFile('reports/bench-errors.json', `${JSON.stringify(report, null, 2)}\n`);
    console.log('\nreport: reports/bench-errors.json');
    redis.disconnect();
    await db.end();
  });
} finally {
  for (const child of children) child.kill('SIGTERM');
  await browser.close();
}
