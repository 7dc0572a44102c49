/*
 * npm run bench:errors — spec 004's targets on real services: publish → rendered in the dashboard
 * (200 errors at 8/s, the throttle's steady regime), dashboard load, and /api/errors/recent under 100
 * connections over 1,000,000 stored errors (with and without the response cache, compressed or not).
 * Prints the figures; writes reports/bench-errors.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { reapRun, startServices } from '../../src/services/provider.ts';
import { startReaper } from '../../src/services/reaper.ts';
import { RunRegistry } from '../../src/services/run-registry.ts';
import { formatMs } from '../../src/shared/latency-histogram.ts';
import { launchBrowser } from '../support/browser.ts';
import type { ConsumerProcessConfig } from './load/consumer-process.ts';
import {
  measureDashboardLoad,
  measureDisplayLatency,
  measureHttp,
  seedErrors,
  type HttpLoadResult,
} from './load/error-load.ts';
import { forkTs, nextMessage } from './load/ipc.ts';

const config = loadConfig({ HARNESS_POSTGRES_DURABLE: 'true', ...process.env });
const registry = await RunRegistry.create(config.services.tmpDir);
const reaper = startReaper(process.pid, registry.dir);
const services = await startServices(config.services, registry);
const browser = await launchBrowser();
const children: ReturnType<typeof forkTs>[] = [];
const consumerAt = async (apiCacheMs: number): Promise<string> => {
  const c: ConsumerProcessConfig = {
    redisUrl: services.redis.url,
    databaseUrl: services.postgres.url,
    tracking: 'integration_events',
    logFile: `${registry.dir}/consumer-${apiCacheMs}.log`,
    apiCacheMs,
  };
  const child = forkTs(new URL('./load/consumer-process.ts', import.meta.url), c);
  children.push(child);
  const ready = await nextMessage(child, 'ready', 30_000);
  return ready.type === 'ready' ? ready.url! : '';
};
const show = (label: string, r: HttpLoadResult) =>
  console.log(
    `  ${label.padEnd(44)} ${Math.round(r.requestsPerSecond).toLocaleString('en-US').padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  max ${r.latency.max} ms  errors ${r.errors + r.non2xx}`,
  );

try {
  console.log(
    `${services.describe()}\nPostgreSQL ${config.services.postgresDurable ? 'durable (fsync on)' : 'test speed'}`,
  );
  await migrate(services.postgres.url);
  const db = new pg.Pool({ connectionString: services.postgres.url, max: 2 });
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
  const gzip = await measureHttp(`${url}/api/errors/recent`, 100, 10, ['accept-encoding: gzip, deflate, br']);
  show('cached 250 ms, gzip (as a browser asks)', gzip);
  const identity = await measureHttp(`${url}/api/errors/recent`, 100, 10);
  show('cached 250 ms, uncompressed', identity);
  const uncachedUrl = await consumerAt(0);
  const uncached = await measureHttp(`${uncachedUrl}/api/errors/recent`, 100, 10);
  show('no cache (ERROR_API_CACHE_MS=0): a query each', uncached);

  await mkdir('reports', { recursive: true });
  const report = {
    bench: 'errors',
    node: process.version,
    postgresDurable: config.services.postgresDurable,
    display,
    dashboardLoadMs: loads,
    recentApi: { gzip, identity, uncached },
  };
  await writeFile('reports/bench-errors.json', `${JSON.stringify(report, null, 2)}\n`);
  console.log('\nreport: reports/bench-errors.json');
  redis.disconnect();
  await db.end();
} finally {
  for (const child of children) child.kill('SIGTERM');
  await browser.close();
  await services.close();
  await reapRun(registry, config.services);
  reaper.stop();
}
