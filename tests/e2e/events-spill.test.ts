import { describe, expect, inject, test } from 'vitest';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import { useDurabilityRig } from '../support/durability-rig.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

// On a PostgreSQL of its own: the outages of consumer-durability.test.ts stay there.
const rig = useDurabilityRig('events-spill-');
const seed = inject('seed');

const health = async (url: string) =>
  (await fetch(`${url}/health`)).json() as Promise<{ counters: { events_processed: number } }>;

describe('a graceful stop while PostgreSQL is away, TRACKING_SINK=both', () => {
  test('the events-bus rows are spilled beside the integration_events rows, and both are written at the next start', async () => {
    const env = { CONSUMER_STOP_TIMEOUT_MS: '1000', TRACKING_SINK: 'both' };
    const first = await rig.startConsumer(env);
    await rig.postgres.control.stop();
    const restore = () => rig.postgres.control.start();
    const flows: string[] = [];
    try {
      for (let i = 0; i < 3; i += 1)
        flows.push(
          (
            await publishOnce({
              redis: rig.redis,
              db: undefined,
              clock: systemClock,
              random: seededRandom(seed + 50 + i),
            })
          ).event.data.flow_id,
        );
      // A refused probe (a pooled connection to a port an earlier test's consumer had) is asked again.
      const taken = async () =>
        (await health(first.url).catch(() => undefined))?.counters.events_processed ?? 0;
      await pollUntil(async () => (await taken()) >= flows.length, {
        timeoutMs: 10_000,
        what: 'the consumer to take 3 events',
        seen: () => first.run.output().slice(-8000),
      });
      first.run.child.kill('SIGINT');
      expect(await withDeadline(first.run.exited, 20_000, 'the consumer to stop'), first.run.output()).toBe(
        1,
      );
      expect(first.run.output()).toMatch(
        /checkpoints kept in \S+checkpoints-\d+\.jsonl and \S+checkpoints-\d+\.events\.jsonl/,
      );
    } finally {
      await restore();
    }
    const second = await rig.startConsumer(env);
    const counts = async () => {
      const q = async (sql: string) => (await rig.db.query<{ n: number }>(sql, [flows])).rows[0]!.n;
      return {
        rows: await q(
          `SELECT count(DISTINCT flow_id)::int AS n FROM integration_events WHERE flow_id = ANY($1)`,
        ),
        events: await q(
          `SELECT count(DISTINCT correlation_id)::int AS n FROM events WHERE correlation_id::text = ANY($1)`,
        ),
      };
    };
    await pollUntil(async () => JSON.stringify(await counts()) === JSON.stringify({ rows: 3, events: 3 }), {
      timeoutMs: 15_000,
      what: 'both spill files written',
      seen: async () => JSON.stringify(await counts()),
    });
    await rig.closesCleanly(second.run);
  });
});
