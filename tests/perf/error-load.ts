import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type pg from 'pg';
import type { Browser } from 'playwright-core';
import { PAGE_OPTIONS } from '../../src/services/headless-browser.ts';

/** Fills error_logs with `count` realistic rows in one server-side statement. */
export async function seedErrors(db: pg.Pool, count: number): Promise<void> {
  await db.query(
    `INSERT INTO error_logs (error_id, error_type, error_message, error_traceback, severity, category, component, operation, symbol, context, timestamp)
     SELECT 'seed_' || i, 'PatternDetectionError', 'Pattern detection failed for Doji: Insufficient data (' || i || ')',
            'Traceback (most recent call last): ...', (ARRAY['warning','error','critical'])[1 + i % 3],
            (ARRAY['pattern','indicator','database','network','validation','performance','configuration','unknown'])[1 + i % 8],
            'PatternDetector', 'detect_doji', (ARRAY['AAPL','MSFT','NVDA','TSLA'])[1 + i % 4], '{"metadata":{}}',
            now() - make_interval(secs => i * 0.05)
       FROM generate_series(1, $1) AS i`,
    [count],
  );
  // A table that big is, in steady state, vacuumed: do it now rather than have autovacuum run during the measurement.
  await db.query('VACUUM ANALYZE error_logs');
  await db.query('VACUUM ANALYZE error_counts_hourly');
}

/** What the dashboard exposes to tests on `window`. */
interface DashboardProbe {
  readonly __tickstock: { readonly loadedAt: number };
}

/**
 * Navigation start → the frame with the stored errors and counts painted, by the page's own clock
 * (as a browser's load metrics are), `loads` times; the first is cold.
 */
export async function measureDashboardLoad(
  browser: Browser,
  dashboardUrl: string,
  loads: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < loads; i += 1) {
    const page = await browser.newPage(PAGE_OPTIONS);
    await page.goto(dashboardUrl);
    await page.waitForSelector('body[data-loaded="true"]');
    times.push(await page.evaluate(() => (globalThis as unknown as DashboardProbe).__tickstock.loadedAt));
    await page.close();
  }
  return times;
}

export interface HttpLoadResult {
  readonly requestsPerSecond: number;
  readonly latency: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  readonly total: number;
  readonly errors: number;
  readonly non2xx: number;
}

/** autocannon in its own process (its own core): `connections` kept busy for `seconds`. */
export async function measureHttp(
  url: string,
  connections: number,
  seconds: number,
  headers: readonly string[] = [],
): Promise<HttpLoadResult> {
  const child = spawn(
    new URL('../../node_modules/.bin/autocannon', import.meta.url).pathname,
    ['-c', String(connections), '-d', String(seconds), ...headers.flatMap((h) => ['-H', h]), '-j', url],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`autocannon exited with ${code}`);
  const r = JSON.parse(out) as {
    requests: { average: number; total: number };
    latency: { p50: number; p90: number; p99: number; max: number };
    errors: number;
    non2xx: number;
  };
  return {
    requestsPerSecond: r.requests.average,
    latency: r.latency,
    total: r.requests.total,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}
