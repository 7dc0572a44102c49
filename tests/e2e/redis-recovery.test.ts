import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { CHANNELS } from '../../src/contract/channels.ts';
import type { SimReport } from '../../src/contract/schemas/sim-report.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import { startFlowRig } from '../support/flow-rig.ts';
import { ownServices, type Controllable } from '../support/own-services.ts';
import { runCli } from '../support/run-cli.ts';
import { nextEvent } from '../support/socket-wait.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const own = ownServices();
const seed = inject('seed');
let postgres: Controllable;
let redisServer: Controllable;
beforeAll(async () => {
  [postgres, redisServer] = await Promise.all([own.postgres(), own.redis()]);
});
afterAll(() => redisServer.control.start());

const urls = () => ({ databaseUrl: postgres.url, redisUrl: redisServer.url });

describe('Redis restarted', () => {
  test('the consumer (default backoff) delivers again within 1 s of Redis answering', async () => {
    const rig = await startFlowRig(urls());
    try {
      const browser = await rig.browser();
      await redisServer.control.stop();
      // Down long enough for an exponential backoff to pass a few seconds between attempts.
      await pollUntil(() => rig.consumer.stats.connectionErrors >= 10, {
        timeoutMs: 15_000,
        what: 'five failed reconnect attempts',
        seen: () => `${rig.consumer.stats.connectionErrors} connection errors`,
      });
      await redisServer.control.start(); // resolves once Redis answers
      const answeredAt = Date.now();
      const producer = new Redis(redisServer.url);
      try {
        const random = seededRandom(seed + 400);
        // Published every 20 ms until one reaches a subscriber: the consumer's, once it resubscribed.
        let reached = 0;
        let first = nextEvent(browser, 'pattern_alert');
        let flowId = '';
        await pollUntil(
          async () => {
            first = nextEvent(browser, 'pattern_alert');
            const sent = await publishOnce({ redis: producer, db: undefined, clock: systemClock, random });
            reached = sent.receivers;
            flowId = sent.event.data.flow_id;
            return reached > 0;
          },
          { timeoutMs: 10_000, intervalMs: 20, what: 'a publish that reaches the consumer' },
        );
        expect((await withDeadline(first, 5000, 'the first pattern_alert')).data.flow_id).toBe(flowId);
        const deliveredAfterMs = Date.now() - answeredAt;
        expect(deliveredAfterMs, 'ms from Redis answering to the first delivery').toBeLessThanOrEqual(1000);
        // Reconnects every 0.5 s at most: one warning for the outage, every error still counted.
        const warnings = rig.lines.filter((l) => String(l['msg']).startsWith('Redis connection error'));
        expect(warnings).toHaveLength(1);
        expect(rig.consumer.stats.connectionErrors).toBeGreaterThanOrEqual(10);
      } finally {
        producer.disconnect();
      }
    } finally {
      await redisServer.control.start();
      await rig.close();
    }
  });
});

/** A subscriber on the patterns channel that counts what it receives. */
async function subscriber(url: string, received: { count: number }): Promise<Redis> {
  const sub = new Redis(url, { retryStrategy: () => null });
  sub.on('error', () => undefined);
  sub.on('message', () => (received.count += 1));
  await sub.subscribe(CHANNELS.patterns);
  return sub;
}

/** The last command of the one other client (the simulator's connection), once it is connected. */
async function simulatorCommand(admin: Redis): Promise<string> {
  const list = (await admin.client('LIST')) as string;
  const others = list.split('\n').filter((l) => l.includes(' cmd=') && !l.includes(' cmd=client|list'));
  return /cmd=(\S+)/.exec(others[0] ?? '')?.[1] ?? 'none';
}

/**
 * `tickstock sim` at 200/s for 2 s while Redis restarts and its only subscriber comes back after the
 * simulator does, the gap Redis pub-sub loses; `whenBack` says what the simulator is doing by then.
 */
async function simAcrossRestart(
  extra: string[],
  whenBack: string,
): Promise<{ report: SimReport; received: number; output: string }> {
  const received = { count: 0 };
  let sub = await subscriber(redisServer.url, received);
  const out = join(await runTempDir('sim-restart-'), 'report.json');
  const run = runCli([
    'sim',
    '--no-db',
    '--redis-url',
    redisServer.url,
    '--rate',
    '200',
    '--duration',
    '2',
    '--out',
    `json=${out}`,
    ...extra,
  ]);
  await pollUntil(() => received.count > 0, {
    timeoutMs: 20_000,
    what: 'the first event',
    seen: () => run.output(),
  });
  // Unsubscribed before it goes: a message Redis counted for it is in its socket, never cut off with it.
  await sub.unsubscribe();
  sub.disconnect();
  await redisServer.control.stop();
  await run.waitFor(/Redis connection error/);
  await redisServer.control.start();
  const admin = new Redis(redisServer.url);
  try {
    await pollUntil(async () => (await simulatorCommand(admin)) === whenBack, {
      timeoutMs: 10_000,
      what: `the simulator's connection back, its last command ${whenBack}`,
      seen: async () => `${await simulatorCommand(admin)}; ${run.output()}`,
    });
  } finally {
    admin.disconnect();
  }
  sub = await subscriber(redisServer.url, received);
  try {
    await withDeadline(run.exited, 20_000, 'tickstock sim to exit');
    await sub.ping(); // every message published before this answer has reached us
  } finally {
    sub.disconnect();
  }
  return {
    report: JSON.parse(await readFile(out, 'utf8')) as SimReport,
    received: received.count,
    output: run.output(),
  };
}

describe('the simulator across a Redis restart', () => {
  test('what its offline queue flushed into a Redis without subscribers is counted and reported', async () => {
    const { report, received, output } = await simAcrossRestart([], 'publish');
    expect(report.sent + (report.publish_failures ?? 0), output).toBe(400);
    expect(report.zero_subscriber_publishes).toBeGreaterThan(0);
    expect(report.zero_subscriber_publishes).toBe(report.sent - received);
    expect(output).toMatch(/\d+ publishes reached 0 subscribers/);
  });

  test('--hold-while-unsubscribed: held until a subscriber is back, then sent late, nothing to nobody', async () => {
    const { report, received, output } = await simAcrossRestart(
      ['--hold-while-unsubscribed'],
      'pubsub|numsub',
    );
    expect(report.sent, output).toBe(400);
    expect(report.publish_failures).toBe(0);
    // Only the batch in flight when the subscriber left can reach nobody (several events when the
    // simulator runs late on a busy machine); without the hold the whole outage does (≈ 55).
    expect(report.zero_subscriber_publishes).toBe(report.sent - received);
    expect(report.zero_subscriber_publishes).toBeLessThanOrEqual(15);
    expect(report.held_ms).toBeGreaterThan(0);
    // Open loop kept: what fell due while held went out late, and the lateness says so.
    expect(report.lateness_ms.max).toBeGreaterThanOrEqual(report.held_ms! / 2);
    expect(output).toMatch(/held \d+\.\d s for a subscriber/);
  });
});
