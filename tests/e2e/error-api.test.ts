import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ClientError } from '../../src/contract/schemas/client-payloads.ts';
import { PACKAGE_ROOT } from '../../src/shared/package-root.ts';
import { collect, errorMessage, publishError } from '../support/error-messages.ts';
import { startFlowRig, type FlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { pollUntil } from '../support/wait-for.ts';

const services = useIsolatedServices();
const TOKEN = 'test-admin-token-7f3a';
let rig: FlowRig;
const auth = { Authorization: `Bearer ${TOKEN}` };
const get = (path: string, headers: Record<string, string> = auth) =>
  fetch(`${rig.consumer.url()}${path}`, { headers });

beforeAll(async () => {
  rig = await startFlowRig(services, { errors: { adminToken: TOKEN, broadcastPerSecond: 10_000 } });
  const monitored = collect<ClientError>(await rig.monitor(TOKEN), 'tickstock_error');
  const seed = [
    errorMessage({ severity: 'critical', category: 'database', symbol: 'AAPL' }),
    ...Array.from({ length: 4 }, (_, i) =>
      errorMessage({ severity: 'error', category: i % 2 ? 'network' : 'pattern' }),
    ),
  ];
  for (const m of seed) await publishError(rig.redis, m);
  await pollUntil(() => monitored.length === 5, { timeoutMs: 5000, what: 'five broadcasts' });
  await pollUntil(async () => ((await (await get('/api/errors/recent')).json()) as unknown[]).length === 5, {
    timeoutMs: 5000,
    what: 'five stored errors',
  });
});
afterAll(() => rig.close());

describe('REST API, exact shapes of spec 004 Phase 4', () => {
  test('GET /api/errors/recent: newest first, client format', async () => {
    const res = await get('/api/errors/recent?limit=3');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>[];
    expect(body).toHaveLength(3);
    for (const e of body)
      expect(Object.keys(e).sort()).toEqual([
        'category',
        'component',
        'id',
        'message',
        'severity',
        'symbol',
        'timestamp',
        'type',
      ]);
    const times = body.map((e) => Date.parse(String(e['timestamp'])));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  test('GET /api/errors/statistics: bySeverity, byCategory, total, timeRange', async () => {
    const body = (await (await get('/api/errors/statistics?hours=1')).json()) as Record<string, unknown>;
    expect(body).toEqual({
      timeRange: 'last_1_hours',
      bySeverity: { critical: 1, error: 4 },
      byCategory: { database: 1, pattern: 2, network: 2 },
      total: 5,
    });
  });

  test('GET /api/errors/health: red with a critical in the last 5 minutes; counts; checkTime', async () => {
    const body = (await (await get('/api/errors/health')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'critical', health: 'red', criticalErrors: 1, errors: 4 });
    expect(Math.abs(Date.parse(String(body['checkTime'])) - Date.now())).toBeLessThan(60_000);
  });

  test.each([
    ['/api/errors/recent?limit=0', /limit must be a whole number from 1 to 1000; got "0"/],
    ['/api/errors/recent?limit=abc', /limit must be a whole number/],
    ['/api/errors/recent?limit=1001', /from 1 to 1000/],
    ['/api/errors/recent?limit=-5', /limit must be a whole number/],
    ['/api/errors/statistics?hours=1.5', /hours must be a whole number from 1 to 8760/],
    ['/api/errors/statistics?hours=', /hours must be a whole number/],
  ])('bad parameters get 400 with a message: %s', async (path, message) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  test('with HARNESS_ADMIN_TOKEN set, the API needs the bearer token', async () => {
    expect((await get('/api/errors/recent', {})).status).toBe(401);
    expect((await get('/api/errors/recent', { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get('/api/errors/health')).status).toBe(200);
  });

  test('and /monitoring refuses a socket without it', async () => {
    const socket = io(`${rig.consumer.url()}/monitoring`, { transports: ['websocket'], reconnection: false });
    const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    socket.disconnect();
    expect(error.message).toMatch(/unauthorized/);
  });

  test('the dashboard page and its one script are served; its modules write no markup', async () => {
    const res = await fetch(`${rig.consumer.url()}/dashboard`);
    expect(res.status).toBe(200);
    const page = await res.text();
    const script = await fetch(`${rig.consumer.url()}/web/dashboard.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    // Bundled from these at start (Socket.IO's client and uPlot too, which are not ours to check).
    const dir = join(PACKAGE_ROOT, 'src/consumer/web/js');
    const modules = await readdir(dir);
    expect(modules.length).toBeGreaterThan(5);
    for (const code of [page, ...(await Promise.all(modules.map((m) => readFile(join(dir, m), 'utf8'))))])
      expect(code).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write|\balert\(/);
    expect((await fetch(`${rig.consumer.url()}/web/js/dashboard.js`)).status).toBe(404);
  });

  test('a page asset answers 304 to a browser that has it, and gzip to one that accepts it', async () => {
    const first = await fetch(`${rig.consumer.url()}/web/dashboard.js`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(first.headers.get('content-encoding')).toBe('gzip');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    await first.arrayBuffer();
    const again = await fetch(`${rig.consumer.url()}/web/dashboard.js`, {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });
});

describe('bounds on what is stored and served (issue 12)', () => {
  // The consumer takes messages up to 256 KiB: one 200,000-character message and a 50,000-character traceback.
  const MARKER = / …\[truncated: 200000 characters in all\]$/;
  const recent = async (limit: number) =>
    (await (await get(`/api/errors/recent?limit=${limit}`)).json()) as { id: string; message: string }[];

  test('a 200 KB message is stored, broadcast and served as its first 4,096 characters with a marker', async () => {
    const monitored = collect<ClientError>(await rig.monitor(TOKEN), 'tickstock_error');
    const big = errorMessage({ error_message: 'x'.repeat(200_000), error_traceback: 'y'.repeat(50_000) });
    await publishError(rig.redis, big);
    await pollUntil(async () => (await recent(1))[0]?.id === big.error_id, {
      timeoutMs: 5000,
      what: 'the 200 KB error stored',
      seen: () => JSON.stringify(rig.lines.slice(-3)),
    });
    const served = (await recent(1))[0]!.message;
    expect(served.length).toBe(4096);
    expect(served).toMatch(MARKER);
    expect(monitored.find((e) => e.id === big.error_id)?.message).toBe(served);
    const { rows } = await rig.pool.query<{ message: number; traceback: number }>(
      `SELECT length(error_message) AS message, length(error_traceback) AS traceback FROM error_logs WHERE error_id = $1`,
      [big.error_id],
    );
    expect(rows[0]).toEqual({ message: 4096, traceback: 16_384 });
  });

  test('a row stored whole before the bound existed is served cut the same way', async () => {
    await rig.pool.query(
      `INSERT INTO error_logs (error_id, error_message, severity, timestamp)
       VALUES ('stored-whole', repeat('z', 200000), 'error', now() + interval '1 hour')`,
    );
    const [row] = await recent(1);
    expect(row?.id).toBe('stored-whole');
    expect(row?.message).toHaveLength(4096);
    expect(row?.message).toMatch(MARKER);
  });

  test('a list over the 4 MiB response cap keeps its newest rows that fit and says so', async () => {
    // 4,096 control characters a row, 6 bytes each in JSON: 1,000 rows would be 24.6 MB.
    await rig.pool.query(
      `INSERT INTO error_logs (error_id, error_message, severity, timestamp)
       SELECT 'capped-' || i, repeat(chr(1), 4096), 'error', now() + interval '2 hours' + i * interval '1 ms'
         FROM generate_series(1, 1000) AS i`,
    );
    const res = await get('/api/errors/recent?limit=1000');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBeLessThanOrEqual(4 * 1024 * 1024);
    const rows = JSON.parse(body.toString()) as { id: string }[];
    expect(res.headers.get('x-truncated')).toBe(
      `${rows.length} of 1000 rows; responses are capped at 4194304 bytes, ask for fewer (limit)`,
    );
    expect(rows.length).toBeGreaterThan(100);
    expect(rows[0]?.id).toBe('capped-1000');
  });
});
