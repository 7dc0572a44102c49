import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useIsolatedServices } from '../../support/isolated-services.ts';
import { withDeadline } from '../../support/wait-for.ts';

const services = useIsolatedServices();

describe('Redis pub-sub on the real server', () => {
  test('a PUBLISH reaches a SUBSCRIBE and reports one receiver', async () => {
    const subscriber = new Redis(services.redisUrl);
    const publisher = new Redis(services.redisUrl);
    try {
      await subscriber.subscribe('tickstock.events.patterns');
      const message = once(subscriber, 'message') as Promise<[string, string]>;
      const payload = JSON.stringify({ event_type: 'pattern_detected', data: { flow_id: randomUUID() } });
      expect(await publisher.publish('tickstock.events.patterns', payload)).toBe(1);
      const [channel, body] = await withDeadline(message, 5000, 'the published message');
      expect(channel).toBe('tickstock.events.patterns');
      expect(body).toBe(payload);
    } finally {
      subscriber.disconnect();
      publisher.disconnect();
    }
  });
});

describe('log_integration_event called exactly as spec 001 calls it', () => {
  const client = () => db;
  let db: pg.Client;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: services.databaseUrl });
    await db.connect();
  });
  afterAll(() => db.end());

  // Spec 001 §1: SELECT log_integration_event(%s, ... ten ...) with these values in this order.
  const callAsSpec = (args: readonly unknown[]) =>
    client().query<{ log_integration_event: number }>(
      'SELECT log_integration_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [...args],
    );

  test('PATTERN_PUBLISHED returns the row id; the row and the view hold what was passed', async () => {
    const flowId = randomUUID();
    const details = JSON.stringify({ tier: 'intraday', timestamp: 1_758_000_000.123 });
    const { rows } = await callAsSpec([
      flowId,
      'pattern_detected',
      'TickStockPL',
      'PATTERN_PUBLISHED',
      'tickstock.events.patterns',
      'AAPL',
      'Volume_Spike',
      0.85,
      null,
      details,
    ]);
    const id = rows[0]?.log_integration_event;
    expect(Number.isInteger(id)).toBe(true);

    const row = await client().query('SELECT * FROM integration_events WHERE id = $1', [id]);
    expect(row.rows[0]).toMatchObject({
      flow_id: flowId,
      event_type: 'pattern_detected',
      source_system: 'TickStockPL',
      checkpoint: 'PATTERN_PUBLISHED',
      channel: 'tickstock.events.patterns',
      symbol: 'AAPL',
      pattern_name: 'Volume_Spike',
      confidence: '0.85',
      user_count: null,
      details: { tier: 'intraday', timestamp: 1_758_000_000.123 },
    });

    for (const checkpoint of ['EVENT_RECEIVED', 'EVENT_PARSED', 'WEBSOCKET_DELIVERED']) {
      await callAsSpec([
        flowId,
        'pattern_detected',
        'TickStockAppV2',
        checkpoint,
        'tickstock.events.patterns',
        'AAPL',
        'Volume_Spike',
        0.85,
        checkpoint === 'WEBSOCKET_DELIVERED' ? 3 : null,
        '{}',
      ]);
    }
    const view = await client().query('SELECT * FROM pattern_flow_analysis WHERE flow_id = $1', [flowId]);
    expect(view.rows).toHaveLength(1);
    expect(view.rows[0]).toMatchObject({
      symbol: 'AAPL',
      pattern_name: 'Volume_Spike',
      confidence: '0.85',
      users_notified: 3,
      checkpoints_logged: '4',
      flow_path: ['PATTERN_PUBLISHED', 'EVENT_RECEIVED', 'EVENT_PARSED', 'WEBSOCKET_DELIVERED'],
    });
  });

  test('the heartbeat call of spec 001 §2, with five NULLs, is stored as a heartbeat', async () => {
    const stats = { patterns_detected: 7, uptime_seconds: 60, last_pattern_time: null };
    const { rows } = await callAsSpec([
      randomUUID(),
      'heartbeat',
      'TickStockPL',
      'PRODUCER_ALIVE',
      null,
      null,
      null,
      null,
      null,
      JSON.stringify(stats),
    ]);
    const row = await client().query('SELECT * FROM integration_events WHERE id = $1', [
      rows[0]?.log_integration_event,
    ]);
    expect(row.rows[0]).toMatchObject({
      event_type: 'heartbeat',
      checkpoint: 'PRODUCER_ALIVE',
      channel: null,
      details: stats,
    });
  });

  test('latency_ms is taken from details when the caller measured it', async () => {
    const { rows } = await callAsSpec([
      randomUUID(),
      'pattern_detected',
      'TickStockAppV2',
      'EVENT_PARSED',
      null,
      'MSFT',
      'Support_Test',
      0.7,
      null,
      JSON.stringify({ latency_ms: 1.25 }),
    ]);
    const row = await client().query('SELECT latency_ms FROM integration_events WHERE id = $1', [
      rows[0]?.log_integration_event,
    ]);
    expect(row.rows[0]).toEqual({ latency_ms: '1.25' });
  });
});
