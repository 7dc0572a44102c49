import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { incompleteFlows } from '../../src/analysis/flow-diagnosis.ts';
import { flowCounts, hopPercentiles } from '../../src/analysis/flow-queries.ts';
import { CHANNELS } from '../../src/contract/channels.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import { flowCheckpoints, startFlowRig, type FlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { nextEvent } from '../support/socket-wait.ts';
import { pollUntil } from '../support/wait-for.ts';

const services = useIsolatedServices();
const random = seededRandom(inject('seed') + 11);
const since = new Date(Date.now() - 60_000);
const window = { since, settleMs: 0, limit: 100 };
let db: pg.Pool;
let rig: FlowRig | undefined;
beforeAll(() => {
  db = new pg.Pool({ connectionString: services.databaseUrl, max: 2 });
});
afterAll(async () => {
  await rig?.close();
  await db.end();
});

const diagnosisOf = async (flowId: string) =>
  (await incompleteFlows(db, window)).find((f) => f.flowId === flowId);
const waitForCheckpoint = (flowId: string, checkpoint: string) =>
  pollUntil(async () => (await flowCheckpoints(db, flowId)).includes(checkpoint), {
    timeoutMs: 5000,
    what: `${checkpoint} of flow ${flowId}`,
    seen: async () => (await flowCheckpoints(db, flowId)).join(' → '),
  });

describe('incomplete flows are detected and diagnosed as spec 000 lists them', () => {
  test('no consumer: PATTERN_PUBLISHED only, "Redis connection issue (no EVENT_RECEIVED)"', async () => {
    const redis = new Redis(services.redisUrl);
    const { event, receivers } = await publishOnce({ redis, db, clock: systemClock, random });
    redis.disconnect();
    expect(receivers).toBe(0);
    expect(await diagnosisOf(event.data.flow_id)).toMatchObject({
      path: ['PATTERN_PUBLISHED'],
      missing: 'EVENT_RECEIVED',
      diagnosis: expect.stringMatching(/^Redis connection issue \(no EVENT_RECEIVED\)/) as string,
    });
  });

  test('no browser client: stops at EVENT_PARSED, "No users connected (no WEBSOCKET_DELIVERED)"', async () => {
    rig = await startFlowRig(services);
    const { event } = await publishOnce({ redis: rig.redis, db, clock: systemClock, random });
    await waitForCheckpoint(event.data.flow_id, 'EVENT_PARSED');
    await rig.sink.drain(5000);
    expect(await diagnosisOf(event.data.flow_id)).toMatchObject({
      path: ['PATTERN_PUBLISHED', 'EVENT_RECEIVED', 'EVENT_PARSED'],
      missing: 'WEBSOCKET_DELIVERED',
      diagnosis: expect.stringMatching(/^No users connected/) as string,
    });
  });

  test('invalid message: received, rejected with its violation, never parsed or delivered', async () => {
    const live = rig!;
    const browser = await live.browser();
    const { event } = await publishOnce({ redis: live.redis, db, clock: systemClock, random }, (e) => {
      const { pattern, ...data } = e.data;
      return { ...e, data: { ...data, pattern_name: pattern } as unknown as typeof e.data };
    });
    // The browser's next alert is the valid event published after it: the invalid one never reached it.
    const next = nextEvent(browser, 'pattern_alert');
    const valid = await publishOnce({ redis: live.redis, db, clock: systemClock, random });
    expect((await next).data.flow_id).toBe(valid.event.data.flow_id);
    await waitForCheckpoint(event.data.flow_id, 'EVENT_REJECTED');
    expect(await flowCheckpoints(db, event.data.flow_id)).toEqual([
      'PATTERN_PUBLISHED',
      'EVENT_RECEIVED',
      'EVENT_REJECTED',
    ]);
    expect((await diagnosisOf(event.data.flow_id))?.diagnosis).toMatch(
      /^Processing error \(no EVENT_PARSED\): rejected by validation: \$\.data\.pattern MISSING_FIELD \(Rename data\.pattern_name/,
    );
    expect(live.consumer.stats.eventsRejected).toBe(1);
    expect(
      live.lines.some((l) => l['msg'] === 'pattern event rejected' && l['flow_id'] === event.data.flow_id),
    ).toBe(true);
    browser.disconnect();
  });

  test('complete flows are counted, and hop latencies come out of the checkpoints', async () => {
    const live = rig!;
    const browser = await live.browser();
    for (let i = 0; i < 5; i += 1) {
      const alert = nextEvent(browser, 'pattern_alert');
      const { event } = await publishOnce({ redis: live.redis, db, clock: systemClock, random });
      expect((await alert).data.flow_id).toBe(event.data.flow_id);
    }
    await live.sink.drain(5000);
    const counts = await flowCounts(db, window);
    expect(counts).toMatchObject({ complete: 6, incomplete: 3 }); // one complete from the invalid-message test
    const hops = await hopPercentiles(db, since);
    expect(hops.map((h) => [h.hop, h.count])).toEqual([
      ['published→received', 8],
      ['received→parsed', 7],
      ['parsed→delivered', 6],
      ['published→delivered', 6],
    ]);
    for (const h of hops) expect(h.p99).toBeGreaterThanOrEqual(0);
    browser.disconnect();
  });
});

describe('subscription checkpoints', () => {
  test('CHANNEL_SUBSCRIBED then SUBSCRIPTION_CONFIRMED for every channel of the contract', async () => {
    await rig!.sink.drain(5000);
    const { rows } = await db.query<{ channel: string; checkpoint: string; event_type: string }>(
      `SELECT channel, checkpoint, event_type FROM integration_events
        WHERE checkpoint IN ('CHANNEL_SUBSCRIBED', 'SUBSCRIPTION_CONFIRMED') ORDER BY timestamp, id`,
    );
    for (const channel of Object.values(CHANNELS)) {
      expect(rows.filter((r) => r.channel === channel).map((r) => [r.checkpoint, r.event_type])).toEqual([
        ['CHANNEL_SUBSCRIBED', 'subscription_active'],
        ['SUBSCRIPTION_CONFIRMED', 'subscription_confirmed'],
      ]);
    }
  });
});
