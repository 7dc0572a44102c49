import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { incompleteFlows } from '../../src/analysis/flow-diagnosis.ts';
import { CHANNELS } from '../../src/contract/channels.ts';
import type { PatternEvent } from '../../src/contract/schemas/pattern-event.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { DEFAULT_SCENARIO } from '../../src/sim/scenarios.ts';
import { createSimulator, DEFAULT_SIMULATOR } from '../../src/sim/simulator.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import { flowCheckpoints, startFlowRig } from '../support/flow-rig.ts';
import { ownServices, type Controllable } from '../support/own-services.ts';
import { nextEvent } from '../support/socket-wait.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const own = ownServices();
const seed = inject('seed');
let postgres: Controllable;
let redisServer: Controllable;
let db: pg.Pool;
beforeAll(async () => {
  [postgres, redisServer] = await Promise.all([own.postgres(), own.redis()]);
  db = new pg.Pool({ connectionString: postgres.url, max: 2 });
  db.on('error', () => undefined); // this test stops the server under it
});
afterAll(() => db.end());

const urls = () => ({ databaseUrl: postgres.url, redisUrl: redisServer.url });

describe('PostgreSQL down, then back', () => {
  test('delivery goes on, checkpoints are held and written on return; the flows show the producer could not record', async () => {
    const rig = await startFlowRig(urls(), { batching: { retryMinMs: 50, retryMaxMs: 200 } });
    try {
      const browser = await rig.browser();
      const received: PatternEvent[] = [];
      browser.on('pattern_alert', (e) => received.push(e));
      await rig.sink.drain(5000);
      await postgres.control.stop();

      const sim = createSimulator(
        { redis: rig.redis, db: rig.pool, clock: systemClock, logger: rig.logger },
        { ...DEFAULT_SIMULATOR, scenario: { ...DEFAULT_SCENARIO, rate: 200 }, seed, count: 20 },
      );
      const summary = await sim.run();
      expect(summary).toMatchObject({ sent: 20, recorded: 0, dbFailures: 20 });
      await pollUntil(() => received.length === 20, {
        timeoutMs: 5000,
        what: '20 alerts delivered while PostgreSQL is down',
        seen: () => `${received.length}`,
      });
      expect(rig.sink.stats().buffered).toBeGreaterThan(0);

      await postgres.control.start();
      await rig.sink.drain(15_000);
      expect(rig.sink.stats()).toMatchObject({ buffered: 0, dropped: 0 });
      expect(rig.sink.stats().failedWrites).toBeGreaterThan(0);
      for (const e of received) {
        expect(await flowCheckpoints(db, e.data.flow_id)).toEqual([
          'EVENT_RECEIVED',
          'EVENT_PARSED',
          'WEBSOCKET_DELIVERED',
        ]);
      }
      const flows = await incompleteFlows(db, {
        since: new Date(Date.now() - 60_000),
        settleMs: 0,
        limit: 100,
      });
      const ours = flows.filter((f) => received.some((e) => e.data.flow_id === f.flowId));
      expect(ours).toHaveLength(20);
      for (const f of ours)
        expect(f.diagnosis).toMatch(
          /^TickStockPL not publishing \(no PATTERN_PUBLISHED\).*database write failed/,
        );
    } finally {
      await postgres.control.start();
      await rig.close();
    }
  });

  test('past the buffer bound, checkpoints are dropped, counted and reported, never silently', async () => {
    const rig = await startFlowRig(urls(), {
      batching: { bufferLimit: 10, retryMinMs: 50, retryMaxMs: 100 },
    });
    try {
      const browser = await rig.browser();
      await rig.sink.drain(5000);
      // The start's own rows (subscriptions, the first heartbeat) can overflow a buffer of 10 already.
      const before = rig.sink.stats().dropped;
      await postgres.control.stop();
      for (let i = 0; i < 8; i += 1) {
        const alert = nextEvent(browser, 'pattern_alert');
        await publishOnce({
          redis: rig.redis,
          db: undefined,
          clock: systemClock,
          random: seededRandom(seed + i),
        });
        await alert;
      }
      // 8 events x 3 checkpoints = 24 rows into a buffer of 10.
      expect(rig.sink.stats()).toMatchObject({ buffered: 10, dropped: before + 14 });
      expect(
        rig.lines.some(
          (l) => String(l['msg']).startsWith('checkpoint buffer full') && l['dropped'] !== undefined,
        ),
      ).toBe(true);
      expect(rig.consumer.health().tracking).toMatchObject({ dropped: before + 14 });
    } finally {
      await postgres.control.start();
      await rig.close();
    }
  });
});

describe('Redis restarted under a running consumer', () => {
  test('it reconnects, resubscribes every channel, records it, flows resume, and the flows lost in the gap are listed', async () => {
    const rig = await startFlowRig(urls(), { consumer: { backoff: { initialMs: 50, maxMs: 200 } } });
    try {
      const browser = await rig.browser();
      await redisServer.control.stop();
      // Published while Redis is down: recorded, but the PUBLISH fails. These are the flows lost in the gap.
      const offline = new Redis(redisServer.url, {
        enableOfflineQueue: false,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      offline.on('error', () => undefined);
      const lost = [];
      for (let i = 0; i < 3; i += 1) {
        const attempt = await publishOnce({
          redis: offline,
          db,
          clock: systemClock,
          random: seededRandom(seed + 100 + i),
        }).catch((error: Error) => error);
        expect(attempt).toBeInstanceOf(Error);
        lost.push(attempt);
      }
      offline.disconnect();
      const { rows } = await db.query<{ flow_id: string }>(
        `SELECT flow_id FROM integration_events WHERE checkpoint = 'PATTERN_PUBLISHED' ORDER BY timestamp DESC LIMIT 3`,
      );
      await redisServer.control.start();
      await pollUntil(() => rig.consumer.stats.reconnections === 1, {
        timeoutMs: 10_000,
        what: 'the consumer to resubscribe',
      });

      const alert = nextEvent(browser, 'pattern_alert');
      const after = await publishOnce({
        redis: rig.redis,
        db,
        clock: systemClock,
        random: seededRandom(seed + 200),
      });
      expect((await alert).data.flow_id).toBe(after.event.data.flow_id);
      await rig.sink.drain(5000);
      expect(await flowCheckpoints(db, after.event.data.flow_id)).toHaveLength(4);

      const { rows: resubscribed } = await db.query<{ channel: string }>(
        `SELECT channel FROM integration_events WHERE checkpoint = 'SUBSCRIPTION_CONFIRMED' AND (details ->> 'after_reconnect')::boolean`,
      );
      expect(resubscribed.map((r) => r.channel).sort()).toEqual(Object.values(CHANNELS).sort());
      const { rows: reconnects } = await db.query(
        `SELECT details FROM integration_events WHERE checkpoint = 'REDIS_RECONNECTED'`,
      );
      expect(reconnects).toHaveLength(1);
      expect(rig.consumer.stats.connectionErrors).toBeGreaterThan(0);

      const flows = await incompleteFlows(db, {
        since: new Date(Date.now() - 60_000),
        settleMs: 0,
        limit: 100,
      });
      for (const { flow_id } of rows) {
        expect(flows.find((f) => f.flowId === flow_id)?.diagnosis).toMatch(
          /published while the consumer was disconnected from Redis/,
        );
      }
    } finally {
      await redisServer.control.start();
      await rig.close();
    }
  });

  test('an idle subscription stays subscribed, even where Redis times idle clients out', async () => {
    const rig = await startFlowRig(urls());
    try {
      const browser = await rig.browser();
      await rig.redis.config('SET', 'timeout', '1');
      // An idle plain client, closed by Redis once the timeout has passed: the event to await.
      const canary = new Redis(redisServer.url, { retryStrategy: () => null });
      canary.on('error', () => undefined);
      const closed = new Promise((resolve) => canary.once('end', resolve));
      await canary.ping();
      await withDeadline(closed, 10_000, 'Redis to close an idle client (timeout 1 s)');
      await rig.deliverOne(browser, seededRandom(seed + 300));
      expect(rig.consumer.stats.reconnections).toBe(0);
    } finally {
      await rig.redis.config('SET', 'timeout', '0');
      await rig.close();
    }
  });
});
