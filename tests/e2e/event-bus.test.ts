import { beforeAll, describe, expect, inject, test } from 'vitest';
import { publishEvent, publishEvents } from '../../src/bus/event-publisher.ts';
import {
  eventStatistics,
  findEvents,
  SEARCH_SQL,
  searchEvents,
  traceCorrelation,
} from '../../src/bus/event-queries.ts';
import { nextRunAt, runCleanup, startRetentionScheduler } from '../../src/bus/retention.ts';
import { renderTrace, traceFlow } from '../../src/analysis/flow-trace.ts';
import { PATTERN_FLOW_PATH } from '../../src/contract/checkpoints.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { eventsRecorder } from '../../src/sim/producer-recorder.ts';
import { flowCheckpoints, startFlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';
import { captureLogs } from '../support/log-capture.ts';
import { runCli } from '../support/run-cli.ts';
import { withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
const seed = inject('seed');
const db = usePool(services, 4);

const FLOW_TYPES = [
  'checkpoint.pattern_published',
  'checkpoint.event_received',
  'checkpoint.event_parsed',
  'checkpoint.websocket_delivered',
];

describe('the events table as a checkpoint sink (spec 003)', () => {
  test('every checkpoint of a flow lands in events under its flow_id, and the trace returns them in order', async () => {
    const rig = await startFlowRig(services, { trackingSink: 'events' });
    try {
      const browser = await rig.browser();
      const event = await rig.deliverOne(browser, seededRandom(seed), undefined);
      // The producer records to the bus too (TRACKING_SINK=events).
      await eventsRecorder(db).published([event]);
      await rig.sink.drain(5000);
      const trace = await traceCorrelation(db, event.data.flow_id);
      expect(trace.map((e) => e.event_type).sort()).toEqual([...FLOW_TYPES].sort());
      const consumerSide = trace.filter((e) => e.source === 'TickStockAppV2').map((e) => e.event_type);
      expect(consumerSide).toEqual(FLOW_TYPES.slice(1));
      const received = trace.find((e) => e.event_type === 'checkpoint.event_received')!;
      expect(received).toMatchObject({
        channel: 'tickstock.events.patterns',
        correlation_id: event.data.flow_id,
      });
      expect((received.data as { message: unknown }).message).toEqual(event);
      expect(await flowCheckpoints(db, event.data.flow_id)).toEqual([]); // integration_events untouched
      const steps = (await traceFlow(db, event.data.flow_id)).steps;
      expect(steps.map((s) => s.name).sort()).toEqual([...PATTERN_FLOW_PATH].sort());
      expect(steps.every((s) => s.sinks.join() === 'events')).toBe(true);
    } finally {
      await rig.close();
    }
  });

  test('TRACKING_SINK=both: the same checkpoints in integration_events and in events', async () => {
    const rig = await startFlowRig(services, { trackingSink: 'both' });
    try {
      const browser = await rig.browser();
      const event = await rig.deliverOne(browser, seededRandom(seed + 1), undefined);
      await rig.sink.drain(5000);
      expect(await flowCheckpoints(db, event.data.flow_id)).toEqual([
        'EVENT_RECEIVED',
        'EVENT_PARSED',
        'WEBSOCKET_DELIVERED',
      ]);
      expect((await traceCorrelation(db, event.data.flow_id)).map((e) => e.event_type)).toEqual(
        FLOW_TYPES.slice(1),
      );
      // The trace shows each checkpoint once, found in both sinks.
      const trace = await traceFlow(db, event.data.flow_id);
      expect(trace.steps.map((s) => [s.name, s.sinks])).toEqual(
        ['EVENT_RECEIVED', 'EVENT_PARSED', 'WEBSOCKET_DELIVERED'].map((c) => [
          c,
          ['integration_events', 'events'],
        ]),
      );
    } finally {
      await rig.close();
    }
  });
});

describe('tickstock events trace', () => {
  test('under the default sink (integration_events): the flow in order with hop deltas; an unknown flow exits 1', async () => {
    const rig = await startFlowRig(services);
    let flowId: string;
    try {
      const event = await rig.deliverOne(await rig.browser(), seededRandom(seed + 2), db);
      await rig.sink.drain(5000);
      flowId = event.data.flow_id;
    } finally {
      await rig.close();
    }
    const env = { DATABASE_URL: services.databaseUrl };
    const unknownId = '00000000-0000-4000-8000-000000000000';
    const found = runCli(['events', 'trace', flowId, '--json'], env);
    const unknown = runCli(['events', 'trace', unknownId], env);

    const lines = renderTrace(await traceFlow(db, flowId));
    expect(lines[0]).toBe(`flow ${flowId} (from integration_events)`);
    expect(lines.slice(1, -1).map((l) => l.split(/ +/).slice(2))).toEqual([
      ['PATTERN_PUBLISHED', 'TickStockPL', 'start'],
      [
        'EVENT_RECEIVED',
        'TickStockAppV2',
        expect.stringMatching(/^\+[\d.]+$/),
        expect.stringMatching(/^m?s$/),
      ],
      ['EVENT_PARSED', 'TickStockAppV2', expect.stringMatching(/^\+[\d.]+$/), expect.stringMatching(/^m?s$/)],
      [
        'WEBSOCKET_DELIVERED',
        'TickStockAppV2',
        expect.stringMatching(/^\+[\d.]+$/),
        expect.stringMatching(/^m?s$/),
      ],
    ]);
    expect(lines.at(-1)).toMatch(/^4 steps, [\d.]+ m?s from first to last$/);

    expect(await withDeadline(found.exited, 30_000, 'events trace to exit'), found.output()).toBe(0);
    const records = found
      .output()
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { type: string; name?: string; sinks?: string[]; deltaMs?: number | null },
      );
    expect(records.map((r) => r.name ?? r.type)).toEqual([...PATTERN_FLOW_PATH, 'summary']);
    expect(records.slice(0, 4).every((r) => r.sinks?.join() === 'integration_events')).toBe(true);
    expect(records.slice(1, 4).every((r) => (r.deltaMs ?? -1) >= 0)).toBe(true);
    expect(records.at(-1)).toMatchObject({ type: 'summary', flowId, steps: 4 });

    expect(await withDeadline(unknown.exited, 30_000, 'events trace to exit'), unknown.output()).toBe(1);
    expect(unknown.output()).toBe(
      `flow ${unknownId}: nothing recorded in integration_events or in the events bus\n`,
    );
  }, 60_000);
});

describe('the publisher API', () => {
  test('a correlation id is made when none is given, kept when given, none when null', async () => {
    const made = await publishEvent(db, {
      channel: 'setup:created',
      eventType: 'setup.parsed',
      data: { ticker: 'AAPL' },
      source: 'discord_parser',
    });
    expect(made.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await publishEvent(db, {
      channel: 'setup:created',
      eventType: 'setup.created',
      data: {},
      correlationId: made.correlationId,
    });
    expect(kept.correlationId).toBe(made.correlationId);
    const none = await publishEvent(db, {
      channel: 'system',
      eventType: 'system.info',
      data: {},
      correlationId: null,
    });
    expect(none.correlationId).toBeNull();
    expect((await traceCorrelation(db, made.correlationId!)).map((e) => e.event_type)).toEqual([
      'setup.parsed',
      'setup.created',
    ]);
  });

  test('a failing batch is rolled back whole: nothing of it is stored', async () => {
    const count = async () =>
      Number(
        (await db.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE channel = 'rollback:test'`))
          .rows[0]!.n,
      );
    const attempt = publishEvents(db, [
      { channel: 'rollback:test', eventType: 'a', data: {} },
      { channel: 'rollback:test', eventType: 'b', data: {}, correlationId: 'not-a-uuid' },
    ]);
    await expect(attempt).rejects.toMatchObject({ code: '22P02' });
    expect(await count()).toBe(0);
  });
});

describe('queries', () => {
  let flowId: string;
  beforeAll(async () => {
    // Enough rows that the planner prefers the indexes, as it would on a real bus.
    await db.query(
      `INSERT INTO events (channel, event_type, source, data, created_at)
       SELECT (ARRAY['discord:message','ingestion:message','setup:created'])[1 + i % 3],
              (ARRAY['discord.message.received','ingestion.message.stored','setup.created'])[1 + i % 3],
              (ARRAY['discord_bot','ingestor','parser'])[1 + i % 3],
              jsonb_build_object('ticker', 'T' || (i % 500), 'seq', i),
              now() - make_interval(secs => (200000 - i) * 0.1)
         FROM generate_series(1, 200000) AS i`,
    );
    const flow = await publishEvent(db, {
      channel: 'setup:created',
      eventType: 'setup.created',
      data: { ticker: 'ZZTOP', price: 150.25 },
      source: 'parser',
    });
    flowId = flow.correlationId!;
    await db.query('ANALYZE events');
  });

  test('filters: channel, type, source, time range', async () => {
    const byChannel = await findEvents(db, { channel: 'discord:message', limit: 1000 });
    expect(byChannel.length).toBe(1000);
    expect(new Set(byChannel.map((e) => e.channel))).toEqual(new Set(['discord:message']));
    const byType = await findEvents(db, {
      eventType: 'ingestion.message.stored',
      source: 'ingestor',
      limit: 5,
    });
    expect(byType.every((e) => e.event_type === 'ingestion.message.stored' && e.source === 'ingestor')).toBe(
      true,
    );
    const since = new Date(Date.now() - 10_500 * 100);
    const until = new Date(Date.now() - 10_000 * 100);
    const window = await findEvents(db, { channel: 'ingestion:message', since, until, limit: 1000 });
    expect(window.length).toBeGreaterThan(150);
    expect(window.every((e) => e.created_at >= since && e.created_at < until)).toBe(true);
  });

  test('JSONB containment search finds the payload, through the GIN index (EXPLAIN)', async () => {
    const found = await searchEvents(db, { ticker: 'ZZTOP' }, 10);
    expect(found.map((e) => e.correlation_id)).toEqual([flowId]);
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${SEARCH_SQL}`, [
      JSON.stringify({ ticker: 'ZZTOP' }),
      10,
    ]);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Bitmap Index Scan on idx_events_data_gin/);
  });

  test('statistics: volume by channel and type, and the flow completion rate', async () => {
    const stats = await eventStatistics(db, new Date(Date.now() - 3_600_000));
    expect(stats.byChannel['discord:message']).toBeGreaterThan(1000);
    expect(stats.byType['setup.created']).toBeGreaterThan(1000);
    expect(stats.total).toBe(Object.values(stats.byChannel).reduce((a, b) => a + b, 0));
    expect(stats.flows.total).toBeGreaterThanOrEqual(2); // the two flows of the sink tests
    expect(stats.flows.completionRate).toBeGreaterThan(0);
  });

  test('REST under /api/events: filters, trace, search, statistics, bad parameters', async () => {
    const rig = await startFlowRig(services);
    try {
      const get = async (path: string) => {
        const res = await fetch(`${rig.consumer.url()}${path}`);
        return { status: res.status, body: await res.json() };
      };
      expect((await get('/api/events?channel=setup:created&limit=3')).body).toHaveLength(3);
      expect(
        ((await get(`/api/events/trace/${flowId}`)).body as { event_type: string }[]).map(
          (e) => e.event_type,
        ),
      ).toEqual(['setup.created']);
      expect(
        (await get(`/api/events/search?q=${encodeURIComponent('{"ticker":"ZZTOP"}')}`)).body,
      ).toHaveLength(1);
      expect((await get('/api/events/statistics?hours=1')).body).toMatchObject({
        flows: { total: expect.any(Number) as number },
      });
      for (const [path, message] of [
        ['/api/events/trace/not-a-uuid', /correlation id must be a UUID/],
        ['/api/events/search?q=[1]', /q must be a JSON object/],
        ['/api/events?since=yesterday', /since must be an ISO 8601 date-time/],
        ['/api/events?limit=0', /limit must be a whole number/],
      ] as const) {
        const r = await get(path);
        expect(r.status).toBe(400);
        expect((r.body as { error: string }).error).toMatch(message);
      }
    } finally {
      await rig.close();
    }
  });
});

describe('retention cleanup', () => {
  test('deletes only what is past retention, in bounded batches, and records itself as a system event', async () => {
    const old = Date.now() - 100 * 86_400_000;
    await publishEvents(
      db,
      Array.from({ length: 12 }, (_, i) => ({
        channel: 'retention:test',
        eventType: 'old',
        data: { i },
        at: old,
      })),
    );
    await publishEvents(
      db,
      Array.from({ length: 5 }, (_, i) => ({
        channel: 'retention:test',
        eventType: 'recent',
        data: { i },
        at: Date.now() - 10 * 86_400_000,
      })),
    );
    const result = await runCleanup(
      db,
      { retentionDays: 90, batchSize: 5, at: { hour: 2, minute: 0 } },
      systemClock,
    );
    expect(result).toMatchObject({ ok: true, deleted: 12, batches: 3 });
    expect(
      (await findEvents(db, { channel: 'retention:test', limit: 100 })).map((e) => e.event_type),
    ).toEqual(Array(5).fill('recent'));
    const [log] = await findEvents(db, {
      channel: 'system',
      eventType: 'system.info',
      source: 'retention_cleanup',
      limit: 1,
    });
    expect(log?.data).toMatchObject({
      action: 'retention_cleanup',
      deleted: 12,
      batches: 3,
      ok: true,
      retention_days: 90,
    });
  });

  test('a failed run is recorded as system.error; the scheduler keeps its next daily run', async () => {
    await db.query(
      `CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'deletes refused'; END $$`,
    );
    await db.query(
      'CREATE TRIGGER refuse_delete BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION refuse_delete()',
    );
    await publishEvent(db, {
      channel: 'retention:test',
      eventType: 'old',
      data: {},
      at: Date.now() - 100 * 86_400_000,
    });
    const { logger, lines } = captureLogs();
    const scheduler = startRetentionScheduler(
      { db, clock: systemClock, logger },
      { retentionDays: 90, batchSize: 100, at: { hour: 2, minute: 0 } },
    );
    try {
      const result = await scheduler.runNow();
      expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/deletes refused/) as string });
      const [log] = await findEvents(db, { channel: 'system', eventType: 'system.error', limit: 1 });
      expect(log?.data).toMatchObject({ action: 'retention_cleanup', ok: false });
      expect(lines.some((l) => /runs again at the next schedule/.test(String(l['msg'])))).toBe(true);
      expect(scheduler.nextRun().getTime()).toBe(nextRunAt(new Date(), { hour: 2, minute: 0 }).getTime());
    } finally {
      await scheduler.stop();
      await db.query('DROP TRIGGER refuse_delete ON events');
      await db.query('DROP FUNCTION refuse_delete()');
    }
  });

  test('the daily schedule: 02:00 local, today if still ahead, else tomorrow', () => {
    const at = { hour: 2, minute: 0 };
    expect(nextRunAt(new Date(2026, 0, 10, 1, 59), at)).toEqual(new Date(2026, 0, 10, 2, 0));
    expect(nextRunAt(new Date(2026, 0, 10, 2, 0), at)).toEqual(new Date(2026, 0, 11, 2, 0));
    expect(nextRunAt(new Date(2026, 0, 31, 23, 0), at)).toEqual(new Date(2026, 1, 1, 2, 0));
  });

  test('tickstock events cleanup --now runs it on demand', async () => {
    await publishEvent(db, {
      channel: 'retention:cli',
      eventType: 'old',
      data: {},
      at: Date.now() - 200 * 86_400_000,
    });
    const run = runCli(['events', 'cleanup', '--now'], { DATABASE_URL: services.databaseUrl });
    expect(await withDeadline(run.exited, 20_000, 'cleanup to finish')).toBe(0);
    expect(run.output()).toMatch(/deleted [1-9]\d* events older than 90 days/);
  });
});
