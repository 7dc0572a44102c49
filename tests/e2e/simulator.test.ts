import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { CHANNELS } from '../../src/contract/channels.ts';
import { CONSUMER_PROFILES } from '../../src/contract/consumer-profiles.ts';
import { SimReport } from '../../src/contract/schemas/sim-report.ts';
import { validateForProfile, validateMessage } from '../../src/contract/validate.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { DEFAULT_SCENARIO, rateAt, schedule, type ScenarioOptions } from '../../src/sim/scenarios.ts';
import type { ProducerRecorder } from '../../src/sim/producer-recorder.ts';
import {
  createSimulator,
  DEFAULT_SIMULATOR,
  type SimulatorOptions,
  type SimulatorStats,
} from '../../src/sim/simulator.ts';
import { captureLogs } from '../support/log-capture.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { runCli } from '../support/run-cli.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
const seed = inject('seed');
const validSimReport = new Ajv().compile<SimReport>(SimReport);
let db: pg.Pool;
let redis: Redis;
beforeAll(() => {
  db = new pg.Pool({ connectionString: services.databaseUrl, max: 4 });
  redis = new Redis(services.redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await db.end();
});

const options = (overrides: Partial<SimulatorOptions>): SimulatorOptions => ({
  ...DEFAULT_SIMULATOR,
  scenario: { ...DEFAULT_SCENARIO, rate: 500 },
  seed,
  ...overrides,
});

/** Every raw message on the given channels while `work` runs. */
async function listen(
  channels: string[],
  work: () => Promise<unknown>,
): Promise<{ channel: string; payload: string }[]> {
  const sub = new Redis(services.redisUrl);
  const got: { channel: string; payload: string }[] = [];
  sub.on('message', (channel: string, payload: string) => got.push({ channel, payload }));
  await sub.subscribe(...channels);
  try {
    await work();
    await sub.ping(); // every message published before this answer has been delivered to us
    await sub.unsubscribe(); // answered once the server dropped us: the next test publishes to nobody
    return got;
  } finally {
    sub.disconnect();
  }
}

describe('schedules (open loop, fixed in advance)', () => {
  const take = (s: ScenarioOptions, n: number) => {
    const it = schedule(s);
    return Array.from({ length: n }, () => it.next().value as number);
  };

  test('steady: evenly spaced at 1/rate', () => {
    expect(take({ ...DEFAULT_SCENARIO, kind: 'steady', rate: 4 }, 4)).toEqual([0, 250, 500, 750]);
  });

  test('ramp: the rate rises linearly, then holds', () => {
    const s: ScenarioOptions = {
      ...DEFAULT_SCENARIO,
      kind: 'ramp',
      rampFrom: 10,
      rate: 110,
      rampSeconds: 10,
    };
    expect([rateAt(s, 0), rateAt(s, 5000), rateAt(s, 10_000), rateAt(s, 60_000)]).toEqual([10, 60, 110, 110]);
    const offsets = take(s, 2000);
    const inFirstSecond = offsets.filter((t) => t < 1000).length;
    const inTenthSecond = offsets.filter((t) => t >= 9000 && t < 10_000).length;
    expect(inFirstSecond).toBeGreaterThanOrEqual(10);
    expect(inFirstSecond).toBeLessThanOrEqual(16);
    expect(inTenthSecond).toBeGreaterThanOrEqual(100);
  });

  test('burst: the burst rate for the burst length, every period', () => {
    const s: ScenarioOptions = {
      ...DEFAULT_SCENARIO,
      kind: 'burst',
      rate: 10,
      burstRate: 200,
      burstSeconds: 1,
      burstEverySeconds: 5,
    };
    const offsets = take(s, 400);
    expect(offsets.filter((t) => t < 1000).length).toBe(200);
    expect(offsets.filter((t) => t >= 1000 && t < 5000).length).toBe(40);
  });
});

describe('the simulator on real services', () => {
  test('publishes contract-valid events, records PATTERN_PUBLISHED for each, summarises', async () => {
    const { logger } = captureLogs();
    let stats: Awaited<ReturnType<ReturnType<typeof createSimulator>['run']>> | undefined;
    const messages = await listen([CHANNELS.patterns], async () => {
      stats = await createSimulator({ redis, db, clock: systemClock, logger }, options({ count: 200 })).run();
    });
    expect(stats).toMatchObject({ sent: 200, recorded: 200, dbFailures: 0 });
    expect(messages).toHaveLength(200);
    for (const m of messages) expect(validateMessage(m.payload, { channel: m.channel }).ok).toBe(true);
    const flowIds = messages.map(
      (m) => (JSON.parse(m.payload) as { data: { flow_id: string } }).data.flow_id,
    );
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(DISTINCT flow_id) AS n FROM integration_events WHERE checkpoint = 'PATTERN_PUBLISHED' AND flow_id = ANY($1)`,
      [flowIds],
    );
    expect(rows[0]!.n).toBe('200');
    expect(stats!.lateness.count).toBe(200);
  });

  test('the same seed gives the same messages in the same order (only timestamps differ)', async () => {
    const run = async () => {
      const got = await listen([CHANNELS.patterns], () =>
        createSimulator(
          { redis, db: undefined, clock: systemClock, logger: captureLogs().logger },
          options({ count: 100, seed: seed + 7 }),
        ).run(),
      );
      return got.map((m) => {
        const e = JSON.parse(m.payload) as { timestamp?: number };
        delete e.timestamp;
        return JSON.stringify(e);
      });
    };
    const [a, b] = [await run(), await run()];
    expect(a).toHaveLength(100);
    expect(b).toEqual(a);
    const other = await listen([CHANNELS.patterns], () =>
      createSimulator(
        { redis, db: undefined, clock: systemClock, logger: captureLogs().logger },
        options({ count: 100, seed: seed + 8 }),
      ).run(),
    );
    expect(other.map((m) => m.payload)).not.toEqual(a);
  });

  test('open loop: a stalled database never holds the schedule; its rows are recorded once it answers', async () => {
    const holder = await db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE integration_events IN ACCESS EXCLUSIVE MODE');
      const sim = createSimulator(
        { redis, db, clock: systemClock, logger: captureLogs().logger },
        options({ scenario: { ...DEFAULT_SCENARIO, rate: 100 }, durationMs: 1000 }),
      );
      const running = sim.run();
      // Hold the lock for 400 ms of the 1 s schedule, then let the writes through.
      await pollUntil(() => sim.stats().elapsedMs >= 400, { timeoutMs: 5000, what: '400 ms of schedule' });
      // Each event went out at most --record-wait late, its recording behind it.
      expect(sim.stats()).toMatchObject({ recorded: 0, dbFailures: 0 });
      expect(sim.stats().sent).toBeGreaterThanOrEqual(30);
      await holder.query('COMMIT');
      const stats = await running;
      expect(stats).toMatchObject({ sent: 100, recorded: 100, dbFailures: 0 });
      // It was at least the lock's 400 ms; now a batch waits --record-wait (50 ms) at most, plus a loaded machine.
      expect(stats.lateness.p50).toBeLessThan(DEFAULT_SIMULATOR.recordWaitMs + 50);
      expect(stats.lateness.max).toBeLessThan(300);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined); // never leave the lock to the next test
      holder.release();
    }
  });

  test('a slow database: what falls due meanwhile goes as one batch, so statements follow its round trip, in order', async () => {
    const ROUND_TRIP_MS = 20;
    const batches: string[][] = [];
    const recorder: ProducerRecorder = {
      published: async (events) => {
        batches.push(events.map((e) => e.data.flow_id));
        await new Promise((resolve) => setTimeout(resolve, ROUND_TRIP_MS)); // the database's round trip
      },
      heartbeat: () => Promise.resolve(),
    };
    let stats: SimulatorStats | undefined;
    const messages = await listen([CHANNELS.patterns], async () => {
      stats = await createSimulator(
        { redis, db: undefined, recorder, clock: systemClock, logger: captureLogs().logger },
        options({ scenario: { ...DEFAULT_SCENARIO, rate: 1000 }, count: 300 }),
      ).run();
    });
    expect(stats).toMatchObject({ sent: 300, recorded: 300 });
    // One statement per 1 ms tick would be 300; one per round trip is about 300 / 20.
    expect(batches.length).toBeLessThan(60);
    const published = messages.map(
      (m) => (JSON.parse(m.payload) as { data: { flow_id: string } }).data.flow_id,
    );
    expect(published).toEqual(batches.flat());
  });

  test('zero subscribers: one loud warning naming the channel, and every such publish counted', async () => {
    const { logger, lines } = captureLogs();
    const stats = await createSimulator(
      { redis, db: undefined, clock: systemClock, logger },
      options({ count: 30 }),
    ).run();
    expect(stats.zeroSubscriberPublishes).toBe(30);
    const warnings = lines.filter((l) => String(l['msg']).includes('reached 0 subscribers'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ channel: CHANNELS.patterns, level: 40 });
  });

  test('backtest progress/results and health status go out on their channels, valid', async () => {
    const sim = createSimulator(
      { redis, db: undefined, clock: systemClock, logger: captureLogs().logger },
      options({
        scenario: { ...DEFAULT_SCENARIO, rate: 1 },
        backtestRate: 100,
        healthRate: 50,
        durationMs: 400,
      }),
    );
    const messages = await listen(
      [CHANNELS.backtestProgress, CHANNELS.backtestResults, CHANNELS.health],
      () => sim.run(),
    );
    const channels = new Set(messages.map((m) => m.channel));
    expect(channels).toEqual(new Set([CHANNELS.backtestProgress, CHANNELS.backtestResults, CHANNELS.health]));
    for (const m of messages) expect(validateMessage(m.payload, { channel: m.channel }).ok).toBe(true);
  });

  test('tickstock sim --out json=FILE: the figures as a report that validates, lateness for every event; a warm-up counted apart', async () => {
    const path = join(await runTempDir('sim-'), 'sim.json');
    const args = ['sim', '--redis-url', services.redisUrl, '--database-url', services.databaseUrl];
    const messages = await listen([CHANNELS.patterns], async () => {
      const run = runCli([
        ...args,
        '--seed',
        String(seed),
        '--rate',
        '500',
        '--count',
        '50',
        '--warmup',
        '0.2',
        '--out',
        `json=${path}`,
      ]);
      expect(await withDeadline(run.exited, 20_000, 'tickstock sim to exit'), run.output()).toBe(0);
      expect(run.output()).toMatch(/warm-up \(not in the figures below\): 0\.2 s, sent 100,/);
    });
    const report = JSON.parse(await readFile(path, 'utf8')) as SimReport;
    expect(validSimReport(report), JSON.stringify(validSimReport.errors)).toBe(true);
    expect(report).toMatchObject({
      seed,
      sent: 50,
      recorded: 50,
      db_failures: 0,
      zero_subscriber_publishes: 0,
    });
    expect(report.lateness_ms.count).toBe(50);
    // 0.2 s at 500/s, then the measured 50: other flows, published first, in none of the figures above.
    expect(report.warmup).toMatchObject({ seconds: 0.2, sent: 100 });
    expect(report.warmup?.lateness_ms.count).toBe(100);
    const flowIds = messages.map(
      (m) => (JSON.parse(m.payload) as { data: { flow_id: string } }).data.flow_id,
    );
    expect(flowIds).toHaveLength(150);
    expect(new Set(flowIds).size).toBe(150);
    const bad = runCli([...args, '--count', '1', '--out', 'csv=x.csv']);
    expect(await withDeadline(bad.exited, 20_000, 'tickstock sim to refuse')).toBe(2);
    expect(bad.output()).toContain('write json=FILE');
  });

  test('tickstock sim --profile tickstockappv2: errors with source and message, backtest fields at the top level', async () => {
    const appv2 = CONSUMER_PROFILES['tickstockappv2']!;
    const common = ['--profile', 'tickstockappv2', '--redis-url', services.redisUrl, '--seed', String(seed)];
    const messages = await listen(
      [CHANNELS.patterns, CHANNELS.errors, CHANNELS.backtestProgress, CHANNELS.backtestResults],
      async () => {
        // Both at once: each spends most of its second starting up.
        const runs = [
          runCli(['sim', ...common, '--no-db', '--rate', '1', '--duration', '0.5', '--backtest-rate', '100']),
          runCli(['sim', 'errors', ...common, '--rate', '100', '--count', '5']),
        ];
        for (const run of runs)
          expect(await withDeadline(run.exited, 20_000, 'tickstock sim to exit'), run.output()).toBe(0);
      },
    );
    const on = (channel: string) =>
      messages
        .filter((m) => m.channel === channel)
        .map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    expect(on(CHANNELS.errors)).toHaveLength(5);
    for (const e of on(CHANNELS.errors))
      expect(e).toMatchObject({ source: 'TickStockPL', message: e['error_message'] as string });
    // At 100/s for half a second: jobs of ten progress messages and a result.
    expect(on(CHANNELS.backtestResults).length).toBeGreaterThanOrEqual(1);
    // The fields at the top level are the ones under data, which stays for a spec consumer.
    const lifted = (m: Record<string, unknown>, fields: string[]): [unknown[], unknown[]] => {
      const data = m['data'] as Record<string, unknown>;
      return [fields.map((f) => m[f]), fields.map((f) => data[f])];
    };
    for (const p of on(CHANNELS.backtestProgress)) {
      const [top, nested] = lifted(p, ['job_id', 'progress', 'status']);
      expect(top).toEqual(nested);
      expect(top.every((v) => v !== undefined)).toBe(true);
    }
    for (const r of on(CHANNELS.backtestResults)) {
      const [top, nested] = lifted(r, ['job_id', 'status']);
      expect(top).toEqual(nested);
      expect(top[1]).toBe('completed');
    }
    for (const m of messages.filter((m) => m.channel !== CHANNELS.patterns)) {
      const verdict = validateForProfile(m.payload, appv2, { channel: m.channel });
      expect(verdict.ok ? [] : verdict.violations, m.payload).toEqual([]);
    }
  });
});
