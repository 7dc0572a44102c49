import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ClientError } from '../../src/contract/schemas/client-payloads.ts';
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

  test('the dashboard page itself is served (it holds no data)', async () => {
    const res = await fetch(`${rig.consumer.url()}/dashboard`);
    expect(res.status).toBe(200);
    expect(await res.text()).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write|\balert\(/);
  });
});
