import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { ALL_CHANNELS, CHANNELS } from '../../src/contract/channels.ts';
import type { MainServerEvents } from '../../src/contract/socket-events.ts';
import type { ConsumerCounters } from '../../src/consumer/consumer-stats.ts';
import { validPatternEvent } from '../support/contract-arbitraries.ts';
import { invalidFixtures } from '../support/fixtures.ts';
import type { LoopStalls } from '../../src/shared/loop-stalls.ts';
import { residentMb } from '../support/process-memory.ts';
import { probeHealth } from '../support/health-probe.ts';
import { startFlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';
import { consumerCli, consumerUrl } from '../support/consumer-cli.ts';
import type { CliRun } from '../support/run-cli.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
const seed = inject('seed');

/** A message as fast-check shows it: a name for the big ones (a counterexample stays readable). */
interface Message {
  readonly channel: string;
  readonly name?: string;
  readonly body?: string | Uint8Array;
}

// Garbage: the malformed corpus on the channel each file names, messages that cost the most to reject
// (each under the 256 KiB cap), and random bytes and text on any channel. Every one must be rejected.
const named = new Map<string, Buffer>([
  ...invalidFixtures()
    .filter((f) => f.channel !== undefined && (ALL_CHANNELS as readonly string[]).includes(f.channel))
    .map((f) => [`${f.channel!} ${basename(f.file)}`, f.bytes] as const),
  ...Object.entries({
    "260,000 '['": '['.repeat(260_000),
    '50,000 \'{"a":\'': '{"a":'.repeat(50_000),
    'a 20,000-deep array': '['.repeat(20_000) + ']'.repeat(20_000),
    'an unexpected token after 230 KB': `[${'{"a":1,"b":"xxxxxxxx"},'.repeat(10_000)}x]`,
  }).map(([name, text]) => [`${CHANNELS.patterns} ${name}`, Buffer.from(text)] as const),
]);
const payloadOf = (m: Message): Buffer =>
  m.name === undefined ? Buffer.from(m.body ?? '') : named.get(m.name)!;
const garbage: fc.Arbitrary<Message> = fc.oneof(
  fc.constantFrom(...named.keys()).map((name) => ({ channel: name.split(' ')[0]!, name })),
  fc
    .tuple(fc.constantFrom(...ALL_CHANNELS), fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string()))
    .map(([channel, body]) => ({ channel, body })),
);
const valid = validPatternEvent.map((event) => ({ valid: true as const, event }));
const stream = fc.array(fc.oneof({ arbitrary: garbage, weight: 3 }, { arbitrary: valid, weight: 1 }), {
  minLength: 20,
  maxLength: 60,
});

// The issue asks /health within 100 ms. The cores here are shared by several test runs (load averages
// of 12-20): the probe, the publisher, Redis and the consumer each wait for a core, and single answers
// of 400-800 ms were seen while the consumer's own handling of any one message stayed under 50 ms.
// So the bound is generous: an idle consumer's slowest answer (measured first) three times over, plus
// a second. It still catches the stall fixed here: one 260,000-'[' message blocked it 130-1,900 ms, and
// a run publishes several.
const HEALTH_BUDGET_MS = 1000;
/** The consumer's resident memory after the flood (documented in docs/reliability.md). */
const RSS_BUDGET_MB = 300;
const IDLE_PROBE_ASKS = 50;

describe('tickstock consumer under hostile Redis messages', () => {
  let run: CliRun;
  let url: string;
  let redis: Redis;
  let browser: Socket<MainServerEvents>;
  const delivered = new Set<string>();

  beforeAll(async () => {
    run = consumerCli(services, await runTempDir('hostile-'));
    url = await consumerUrl(run);
    redis = new Redis(services.redisUrl);
    browser = connectSocket(url, { transports: ['websocket'], reconnection: false });
    browser.on('pattern_alert', (event) => void delivered.add(event.data.flow_id));
    await new Promise<void>((resolve, reject) => {
      browser.once('connect', () => resolve());
      browser.once('connect_error', reject);
    });
  });

  afterAll(async () => {
    browser?.disconnect();
    redis?.disconnect();
    run?.child.kill('SIGTERM');
    await run?.exited;
  });

  const counters = async () =>
    ((await (await fetch(`${url}/health`)).json()) as { counters: ConsumerCounters }).counters;

  test('garbage interleaved with valid events: never exits, /health answers throughout, every valid event delivered, counts exact', async () => {
    const idle = await probeHealth(`${url}/health`);
    await pollUntil(() => idle.asked() >= IDLE_PROBE_ASKS, {
      timeoutMs: 10_000,
      what: 'idle /health answers',
    });
    const budget = HEALTH_BUDGET_MS + 3 * (await idle.stop()).slowest;
    await fc.assert(
      fc.asyncProperty(stream, async (messages) => {
        const before = await counters();
        const health = await probeHealth(`${url}/health`);
        const flows: string[] = [];
        for (const m of messages) {
          if ('valid' in m) {
            const flowId = randomUUID();
            flows.push(flowId);
            await redis.publish(
              CHANNELS.patterns,
              JSON.stringify({ ...m.event, data: { ...m.event.data, flow_id: flowId } }),
            );
          } else await redis.publish(m.channel, payloadOf(m));
        }
        const sent = messages.length;
        await pollUntil(async () => (await counters()).events_received - before.events_received === sent, {
          timeoutMs: 10_000,
          what: `${sent} messages received`,
          seen: async () => JSON.stringify(await counters()),
        });
        await pollUntil(() => flows.every((f) => delivered.has(f)), {
          timeoutMs: 5000,
          what: `the ${flows.length} valid events delivered`,
          seen: () => `missing ${flows.filter((f) => !delivered.has(f)).join(', ')}`,
        });
        const after = await counters();
        expect(after.events_rejected - before.events_rejected).toBe(sent - flows.length);
        expect(after.events_processed - before.events_processed).toBe(flows.length);
        // A quick stream can be over before the second probe: /health must keep answering after it too.
        await pollUntil(() => health.asked() >= 2, { timeoutMs: 5000, what: 'a second /health answer' });
        const probed = await health.stop();
        expect(probed.slowest).toBeLessThan(budget);
        expect(run.child.exitCode, run.output().slice(-2000)).toBeNull();
      }),
      { seed, numRuns: 4, endOnFailure: true },
    );
    expect(run.output()).not.toContain('message handler failed');
    // The consumer's own part of every answer time, measured inside it (see hostile-input).
    const { event_loop: loop } = (await (await fetch(`${url}/health`)).json()) as { event_loop: LoopStalls };
    expect(loop.longest_block_ms, JSON.stringify(loop)).toBeLessThan(100);
    expect(await residentMb(run.child.pid!)).toBeLessThan(RSS_BUDGET_MB);
  }, 60_000);
});

describe('rejected messages in rows and logs', () => {
  const db = usePool(services);

  test('a 20,000-deep top-level array is counted as rejected on every channel, and the consumer goes on', async () => {
    const rig = await startFlowRig(services);
    try {
      const deep = '['.repeat(20_000) + ']'.repeat(20_000);
      for (const channel of ALL_CHANNELS) await rig.redis.publish(channel, deep);
      await pollUntil(() => rig.consumer.stats.eventsReceived === ALL_CHANNELS.length, {
        timeoutMs: 5000,
        what: 'the deep arrays received',
      });
      expect(rig.consumer.stats.counters()).toMatchObject({
        events_rejected: ALL_CHANNELS.length,
        events_processed: 0,
      });
      expect(rig.lines.filter((l) => l['msg'] === 'message handler failed')).toEqual([]);
    } finally {
      await rig.close();
    }
  });

  test('a flood of garbage: rows bounded per second, one log line per channel and reason (then a summary), counts exact', async () => {
    const PER_SECOND = 20;
    const FLOOD = 2000;
    const rig = await startFlowRig(services, { consumer: { rejectedCheckpointsPerSecond: PER_SECOND } });
    const kinds = ['{not json', '[1]', '{"event_type":"pattern_detected"}', '['.repeat(40)];
    const started = Date.now();
    try {
      const pipeline = rig.redis.pipeline();
      for (let i = 0; i < FLOOD; i += 1) pipeline.publish(CHANNELS.patterns, kinds[i % kinds.length]!);
      await pipeline.exec();
      await pollUntil(() => rig.consumer.stats.eventsReceived === FLOOD, {
        timeoutMs: 10_000,
        what: `${FLOOD} messages received`,
        seen: () => JSON.stringify(rig.consumer.stats.counters()),
      });
      const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
      await withDeadline(rig.sink.drain(5000), 6000, 'checkpoints written');
      const counters = rig.consumer.stats.counters();
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM integration_events
          WHERE checkpoint = 'EVENT_REJECTED' AND timestamp >= to_timestamp($1 / 1000.0)`,
        [started],
      );
      expect(counters.events_rejected).toBe(FLOOD);
      expect(rows[0]!.n).toBe(FLOOD - counters.rejected_not_recorded);
      expect(rows[0]!.n).toBeLessThanOrEqual(PER_SECOND * seconds);
      expect(rig.lines.filter((l) => l['msg'] === 'message rejected')).toHaveLength(kinds.length);
    } finally {
      await rig.close();
    }
    // Closing says what was held back: every rejection is in the log, as a line or in a summary's count.
    const summaries = rig.lines.filter((l) => String(l['msg']).startsWith('message rejected ('));
    expect(summaries.length).toBeLessThanOrEqual(kinds.length * 2);
    expect(summaries.reduce((n, l) => n + Number(l['held']), kinds.length)).toBe(FLOOD);
  });
});
