import { Redis } from 'ioredis';
import { CHANNELS, PRODUCER_HEARTBEAT_KEY } from '../../src/contract/channels.ts';
import { validateMessage } from '../../src/contract/validate.ts';
import { describe, expect, test } from 'vitest';
import { flowCheckpoints, startFlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';
import { runCli } from '../support/run-cli.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
const env = () => ({ DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl });
const db = usePool(services);

describe('tickstock sim', () => {
  test('sim once: records and publishes one test pattern and prints its flow_id (spec 001 §5); nobody got it: exit 1', async () => {
    const run = runCli(['sim', 'once', '--seed', '5'], env());
    expect(await withDeadline(run.exited, 20_000, 'sim once to exit')).toBe(1);
    const flowId = /Flow ID: ([0-9a-f-]{36})/.exec(run.output())?.[1];
    expect(flowId, run.output()).toBeDefined();
    expect(run.output()).toMatch(/published to 0 subscribers \(nobody is listening/);
    expect(await flowCheckpoints(db, flowId!)).toEqual(['PATTERN_PUBLISHED']);
  });

  test('SIGINT stops cleanly: what was scheduled is flushed, the summary printed, exit 0', async () => {
    const sub = new Redis(services.redisUrl);
    await sub.subscribe(CHANNELS.patterns);
    try {
      const run = runCli(['sim', '--rate', '200', '--count', '1000000', '--seed', '9'], env());
      await run.waitFor(/seed 9/);
      await run.waitFor(/sent \d+ · /, 20_000).catch(() => undefined); // a status line, when one is printed
      run.child.kill('SIGINT');
      expect(await withDeadline(run.exited, 20_000, 'sim to exit after SIGINT'), run.output()).toBe(0);
      expect(run.output()).toMatch(/SIGINT: stopping/);
      const sent = Number(/sent (\d+) pattern events/.exec(run.output())?.[1]);
      expect(sent).toBeGreaterThan(0);
      expect(run.output()).toMatch(new RegExp(`recorded PATTERN_PUBLISHED: ${sent}\\b`));
      expect(run.output()).toMatch(/result: ok/);
    } finally {
      sub.disconnect();
    }
  });

  test('the same seed repeats the content under new flow ids, unless --repeat-ids', async () => {
    const flowOf = async (...extra: string[]) => {
      const run = runCli(['sim', 'once', '--no-db', '--seed', '42', ...extra], env());
      await withDeadline(run.exited, 20_000, 'sim once to exit');
      return {
        flow: /Flow ID: (\S+)/.exec(run.output())?.[1],
        pattern: /Pattern: (.*)/.exec(run.output())?.[1],
      };
    };
    const [a, b, c, d] = await Promise.all([
      flowOf(),
      flowOf(),
      flowOf('--repeat-ids'),
      flowOf('--repeat-ids'),
    ]);
    expect(a.pattern).toBeDefined();
    expect([b.pattern, c.pattern, d.pattern]).toEqual([a.pattern, a.pattern, a.pattern]);
    expect(a.flow).not.toBe(b.flow);
    expect(c.flow).toBe(d.flow);
  });
});

describe('tickstock sim errors', () => {
  test("--sequence publishes spec 004's test sequence: the five severities, then five categories, all valid", async () => {
    const sub = new Redis(services.redisUrl);
    const got: string[] = [];
    sub.on('message', (_: string, payload: string) => got.push(payload));
    await sub.subscribe(CHANNELS.errors);
    try {
      const run = runCli(['sim', 'errors', '--sequence', '--interval', '0', '--seed', '3'], env());
      expect(await withDeadline(run.exited, 20_000, 'sim errors to exit')).toBe(0);
      expect(run.output()).toMatch(/sent 10 errors: debug 1, info 1, warning 1, error 6, critical 1/);
      await sub.ping();
      const messages = got.map((p) => validateMessage(p, { channel: CHANNELS.errors }));
      expect(messages.every((v) => v.ok)).toBe(true);
      const parsed = got.map((p) => JSON.parse(p) as { severity: string; category: string });
      expect(parsed.map((m) => m.severity)).toEqual([
        'debug',
        'info',
        'warning',
        'error',
        'critical',
        'error',
        'error',
        'error',
        'error',
        'error',
      ]);
      expect(parsed.slice(5).map((m) => m.category)).toEqual([
        'pattern',
        'indicator',
        'database',
        'network',
        'validation',
      ]);
    } finally {
      sub.disconnect();
    }
  });

  test('a mix at a rate, by severity weights and categories; bad weights are a clear error', async () => {
    const run = runCli(
      [
        'sim',
        'errors',
        '--rate',
        '200',
        '--count',
        '40',
        '--severities',
        'warning:1,critical:1',
        '--categories',
        'network,database',
      ],
      env(),
    );
    // Nobody subscribes here: the errors are lost, and the exit code says so.
    expect(await withDeadline(run.exited, 20_000, 'sim errors to exit')).toBe(1);
    expect(run.output()).toMatch(/WARNING: 40 reached 0 subscribers \(lost\)/);
    expect(run.output()).toMatch(/sent 40 errors: debug 0, info 0, warning \d+, error 0, critical \d+/);
    expect(run.output()).not.toMatch(/\b(pattern|indicator|validation) /);
    const bad = runCli(['sim', 'errors', '--severities', 'fatal:2'], env());
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/--severities: "fatal:2" is not severity:weight/);
  });
});

describe('tickstock diagnose and monitor', () => {
  test('with nothing listening, diagnose fails, naming each problem with its fix, exit 1', async () => {
    const run = runCli(['diagnose', '--follow', '1'], env());
    expect(await withDeadline(run.exited, 30_000, 'diagnose to exit')).toBe(1);
    const out = run.output();
    expect(out).toMatch(/ok {3}Redis reachable/);
    expect(out).toMatch(/ok {3}schema objects/);
    expect(out).toMatch(
      /FAIL subscribers on tickstock\.events\.patterns: nobody subscribes[\s\S]*fix: Confirm TickStockAppV2 is running/,
    );
    expect(out).toMatch(
      /FAIL consumer heartbeat: no SUBSCRIBER_ALIVE recorded[\s\S]*fix: Confirm TickStockAppV2 is running/,
    );
    expect(out).toMatch(
      /FAIL test pattern flow: .*PATTERN_PUBLISHED; Redis connection issue \(no EVENT_RECEIVED\)/,
    );
  });

  test('with a consumer, a browser and heartbeats, every check passes, exit 0; monitor shows both sides', async () => {
    const rig = await startFlowRig(services, { consumer: { heartbeatIntervalMs: 200 } });
    try {
      await rig.browser();
      await rig.redis.set(PRODUCER_HEARTBEAT_KEY, String(Date.now() / 1000));
      await pollUntil(
        async () =>
          (await db.query(`SELECT 1 FROM integration_events WHERE checkpoint = 'SUBSCRIBER_ALIVE'`))
            .rowCount! > 0,
        {
          timeoutMs: 5000,
          what: 'a SUBSCRIBER_ALIVE row',
        },
      );
      const run = runCli(['diagnose'], env());
      expect(await withDeadline(run.exited, 30_000, 'diagnose to exit'), run.output()).toBe(0);
      expect(run.output()).toMatch(
        /ok {3}test pattern flow: .*PATTERN_PUBLISHED → EVENT_RECEIVED → EVENT_PARSED → WEBSOCKET_DELIVERED/,
      );
      expect(run.output()).toMatch(/all checks passed/);

      const monitor = runCli(['monitor', '--settle', '0'], env());
      // The flow of the test before stopped with nobody listening: a problem, so exit 1.
      expect(await withDeadline(monitor.exited, 20_000, 'monitor to exit')).toBe(1);
      const out = monitor.output();
      expect(out).toMatch(/producer {2}heartbeat key \d+ s ago/);
      expect(out).toMatch(/consumer {2}SUBSCRIBER_ALIVE \d+ s ago/);
      expect(out).toMatch(/subscribers tickstock\.events\.patterns=1/);
      expect(out).toMatch(/published→delivered +\d+/);
      expect(out).toMatch(/incomplete flows \(newest \d+\):[\s\S]*Redis connection issue/);
    } finally {
      await rig.close();
    }
  });
});

describe('npm start (the demo)', () => {
  test('runs services, consumer, simulator and a built-in browser, reports latency and delivery, and cleans up by itself with --duration', async () => {
    const count = async () =>
      (await db.query<{ n: string }>('SELECT count(*) AS n FROM integration_events')).rows[0]!.n;
    const before = await count();
    // The environment names servers the demo must not touch: it takes throwaway ones.
    const run = runCli(['demo', '--duration', '3', '--rate', '50'], { ...env(), CONSUMER_PORT: '0' });
    expect(await withDeadline(run.exited, 60_000, 'the demo to finish'), run.output()).toBe(0);
    const out = run.output();
    expect(out).toMatch(/services: postgres=\w+ .*redis=\w+/);
    expect(out).toMatch(/dashboard \(live patterns, errors, alerts\): http:\/\/127\.0\.0\.1:\d+\//);
    expect(out).toMatch(/sent \d+ producer errors to the dashboard/);
    expect(out).toMatch(/sent 150 pattern events/);
    expect(out).toMatch(/recorded PATTERN_PUBLISHED: 150/);
    // The built-in browser measures, over the window, from the first status line on.
    expect(out).toMatch(
      /last 10 s: in \d+, out \d+ events\/s · publish→browser p50 [\d.]+ m?s p99 [\d.]+ m?s · delivered [\d.]+ %/,
    );
    expect(out).toMatch(
      /publish→browser \(built-in client, whole run\): p50 [\d.]+ m?s, p99 [\d.]+ m?s, max /,
    );
    expect(out).toMatch(/delivered to the built-in client: 150 of 150 published; 0 flows missing/);
    expect(out).not.toContain(new URL(services.databaseUrl).host);
    expect(await count()).toBe(before);
  });
});
