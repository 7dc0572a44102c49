import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { incompleteFlows } from '../../src/analysis/flow-diagnosis.ts';
import { flowCounts, hopPercentiles } from '../../src/analysis/flow-queries.ts';
import { renderSnapshot, snapshotProblems, takeSnapshot } from '../../src/analysis/monitor-snapshot.ts';
import { createPipelineReads, DEFAULT_PIPELINE_WINDOW } from '../../src/analysis/pipeline-reads.ts';
import { startTcpProxy } from '../../src/services/tcp-proxy.ts';
import { CHANNELS, PRODUCER_HEARTBEAT_KEY } from '../../src/contract/channels.ts';
import { dropTracking, restoreTracking } from '../../src/db/tracking-removal.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import { flowCheckpoints, startFlowRig, type FlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { nextEvent } from '../support/socket-wait.ts';
import { runCli } from '../support/run-cli.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

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
    // Heartbeats often enough that `diagnose` below finds a live consumer.
    rig = await startFlowRig(services, { consumer: { heartbeatIntervalMs: 200 } });
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
    expect(await diagnosisOf(event.data.flow_id)).toMatchObject({
      missing: 'EVENT_PARSED',
      diagnosis:
        'rejected by consumer: $.data.pattern MISSING_FIELD (Rename data.pattern_name to data.pattern)',
    });
    expect(live.consumer.stats.eventsRejected).toBe(1);
    expect(
      live.lines.some((l) => l['msg'] === 'message rejected' && l['flow_id'] === event.data.flow_id),
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

describe('monitor and diagnose name the real cause', () => {
  const env = () => ({ DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl });

  test('monitor: a rejected message from a producer that records nothing is "rejected by consumer", not "TickStockPL not publishing"; exit 1', async () => {
    const live = rig!;
    const { event } = await publishOnce(
      { redis: live.redis, db: undefined, clock: systemClock, random },
      (e) => {
        const { pattern, ...data } = e.data;
        return { ...e, data: { ...data, pattern_name: pattern } as unknown as typeof e.data };
      },
    );
    await waitForCheckpoint(event.data.flow_id, 'EVENT_REJECTED');
    const rejected = `${event.data.flow_id} stopped: rejected by consumer: $.data.pattern MISSING_FIELD (Rename data.pattern_name to data.pattern)`;
    const run = runCli(['monitor', '--settle', '0', '--json'], env());
    expect(await withDeadline(run.exited, 30_000, 'monitor to exit'), run.output()).toBe(1);
    const report = JSON.parse(run.output()) as { ok: boolean; problems: string[] };
    expect(report.ok).toBe(false);
    expect(report.problems).toContain(`flow ${rejected}`);
    expect(run.output()).not.toMatch(/TickStockPL not publishing/);

    const snapshot = await takeSnapshot(
      { db, redis: live.redis, now: () => Date.now() },
      { windowMinutes: 60, settleMs: 0 },
    );
    const text = renderSnapshot(snapshot, snapshotProblems(snapshot, 150));
    expect(text).toMatch(
      /EVENT_RECEIVED → EVENT_REJECTED \| rejected by consumer: \$\.data\.pattern MISSING_FIELD/,
    );
    expect(text).toContain(`  flow ${rejected}`);
  }, 60_000);

  test('diagnose: a healthy consumer with no browser connected passes, the flow ending at EVENT_PARSED (--json)', async () => {
    await rig!.redis.set(PRODUCER_HEARTBEAT_KEY, String(Date.now() / 1000));
    const run = runCli(['diagnose', '--json'], env());
    expect(await withDeadline(run.exited, 30_000, 'diagnose to exit'), run.output()).toBe(0);
    const records = run
      .output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => r['check'] === 'test pattern flow')).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/EVENT_RECEIVED → EVENT_PARSED \(no browser connected/) as string,
    });
    expect(records.at(-1)).toMatchObject({ type: 'summary', failed: 0 });
  }, 60_000);

  test('after db drop-tracking: "tracking objects dropped", fixed by restore-tracking, not 30 missing columns', async () => {
    await rig?.close(); // its sink would write into the dropped table
    rig = undefined;
    await dropTracking(db);
    try {
      const diagnose = runCli(['diagnose', '--follow', '1'], env());
      const monitor = runCli(['monitor'], env());
      expect(await withDeadline(diagnose.exited, 30_000, 'diagnose to exit'), diagnose.output()).toBe(1);
      const out = diagnose.output();
      expect(out).toMatch(
        /FAIL tracking objects: tracking objects dropped[^\n]*\n {5}fix: Run `tickstock db restore-tracking`/,
      );
      expect(out).toMatch(/ok {3}schema objects/);
      expect(out).not.toMatch(/missing column|consumer heartbeat|test pattern flow/);
      expect(await withDeadline(monitor.exited, 30_000, 'monitor to exit'), monitor.output()).toBe(1);
      expect(monitor.output()).toMatch(
        /TRACKING_DROPPED.*tracking objects dropped[\s\S]*tickstock db restore-tracking/,
      );
    } finally {
      await restoreTracking(db);
    }
  }, 60_000);
});

describe("the dashboard's reads of the stores (pipeline-reads.ts)", () => {
  test('PostgreSQL frozen: the Redis parts go out, the database parts are named unavailable, and not asked again while stuck', async () => {
    const target = new URL(services.databaseUrl);
    const link = await startTcpProxy({ host: target.hostname, port: Number(target.port) }, () =>
      random.next(),
    );
    const frozen = new pg.Pool({
      connectionString: Object.assign(new URL(services.databaseUrl), { host: link.address }).toString(),
      max: 2,
    });
    const redis = new Redis(services.redisUrl);
    const reads = createPipelineReads(
      { db: frozen, redis, now: () => Date.now() },
      {
        ...DEFAULT_PIPELINE_WINDOW,
        deadlineMs: 300,
      },
    );
    try {
      link.shape({ latencyMs: 60_000 });
      const first = await reads.read();
      expect(first.flows).toBeNull();
      expect(first.subscribers?.map((s) => s.channel)).toContain(CHANNELS.patterns);
      expect(first.unavailable.map((u) => u.part)).toEqual(
        expect.arrayContaining(['flows', 'incomplete', 'rejected', 'hops', 'consumer heartbeat']),
      );
      expect(first.unavailable.find((u) => u.part === 'flows')?.reason).toBe(
        'PostgreSQL did not answer within 300 ms',
      );
      const second = await reads.read();
      expect(second.unavailable.find((u) => u.part === 'flows')?.reason).toMatch(
        /^PostgreSQL has not answered the read asked \d+ s ago$/,
      );
    } finally {
      link.shape({});
      reads.close();
      await link.close();
      await frozen.end().catch(() => undefined);
    }
  });
});
