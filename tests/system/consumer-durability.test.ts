import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import { errorMessage, publishError } from '../support/error-messages.ts';
import { useDurabilityRig } from '../support/durability-rig.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const rig = useDurabilityRig('consumer-durability-');
const seed = inject('seed');

/** A process's state and parent, after its command name (which may hold spaces). */
async function procState(pid: number): Promise<{ state: string; parent: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const [state = '', parent = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, parent: Number(parent) };
}

/** Sends SIGSTOP and waits until the kernel says `pid` has stopped (the signal is only queued at first). */
async function stopped(pid: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  await pollUntil(async () => (await procState(pid)).state === 'T', {
    timeoutMs: 5000,
    what: `process ${pid} to stop`,
  });
}

/**
 * PostgreSQL's postmaster and its backends frozen with SIGSTOP (a hung server, not a gone one). The
 * postmaster first, and its children listed only once it has stopped: a backend it forked meanwhile
 * (a pool's new connection) would otherwise stay awake and take the writes.
 */
async function freezePostgres(): Promise<number[]> {
  const { rows } = await rig.db.query<{ dir: string }>('SELECT current_setting($1) AS dir', [
    'data_directory',
  ]);
  const postmaster = Number((await readFile(join(rows[0]!.dir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  await stopped(postmaster);
  const backends: number[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p)).map(Number))
    if ((await procState(pid)).parent === postmaster) backends.push(pid);
  await Promise.all(backends.map(stopped));
  return [postmaster, ...backends];
}

/** Takes PostgreSQL away, stopped or frozen; resolves to what brings it back. */
async function outage(kind: 'stopped' | 'frozen'): Promise<() => Promise<void>> {
  if (kind === 'stopped') {
    await rig.postgres.control.stop();
    return () => rig.postgres.control.start();
  }
  const pids = await freezePostgres();
  return () => {
    for (const pid of pids) process.kill(pid, 'SIGCONT');
    return Promise.resolve();
  };
}

interface Health {
  readonly counters: { readonly events_processed: number };
  readonly errors: { readonly bySeverity: Record<string, number> };
}
const health = async (url: string): Promise<Health> =>
  (await fetch(`${url}/health`)).json() as Promise<Health>;

describe('errors and criticals taken while PostgreSQL is away survive kill -9 of the consumer', () => {
  test.each([
    ['stopped', 'within the memory limit', '10000'],
    ['stopped', 'past a memory limit of 5', '5'],
    ['frozen', 'past a memory limit of 5', '5'],
  ] as const)(
    'PostgreSQL %s, %s: each is in error_logs exactly once after a restart',
    async (kind, _, limit) => {
      const first = await rig.startConsumer({ ERROR_MEMORY_LIMIT: limit });
      const sent = Array.from({ length: 12 }, (_, i) =>
        errorMessage({ severity: i % 3 === 0 ? 'critical' : 'error' }),
      );
      const restore = await outage(kind);
      try {
        for (const message of sent) await publishError(rig.redis, message);
        await pollUntil(
          async () => {
            const { bySeverity } = (await health(first.url)).errors;
            return (bySeverity['error'] ?? 0) + (bySeverity['critical'] ?? 0) === sent.length;
          },
          { timeoutMs: 10_000, what: `the consumer to take ${sent.length} errors` },
        );
        first.run.child.kill('SIGKILL');
        await first.run.exited;
      } finally {
        await restore();
      }
      const second = await rig.startConsumer({ ERROR_MEMORY_LIMIT: limit });
      const ids = sent.map((m) => m.error_id);
      const stored = async () =>
        (
          await rig.db.query<{ error_id: string }>(
            `SELECT error_id FROM error_logs WHERE error_id = ANY($1)`,
            [ids],
          )
        ).rows.map((r) => r.error_id);
      await pollUntil(async () => (await stored()).length === ids.length, {
        timeoutMs: 15_000,
        what: `all ${ids.length} errors in error_logs`,
        seen: async () => `${(await stored()).length} stored; ${second.run.output().slice(-1500)}`,
      });
      expect((await stored()).sort()).toEqual([...ids].sort());
      await rig.closesCleanly(second.run);
    },
    60_000,
  );
});

describe('a graceful stop while PostgreSQL is away', () => {
  test.each(['stopped', 'frozen'] as const)(
    'PostgreSQL %s: it ends within CONSUMER_STOP_TIMEOUT_MS; its checkpoints are spilled and written at the next start',
    async (kind) => {
      const stopMs = 1500;
      const first = await rig.startConsumer({ CONSUMER_STOP_TIMEOUT_MS: String(stopMs) });
      const restore = await outage(kind);
      const flows: string[] = [];
      try {
        for (let i = 0; i < 5; i += 1) {
          const published = await publishOnce({
            redis: rig.redis,
            db: undefined,
            clock: systemClock,
            random: seededRandom(seed + i),
          });
          flows.push(published.event.data.flow_id);
        }
        await pollUntil(async () => (await health(first.url)).counters.events_processed >= flows.length, {
          timeoutMs: 10_000,
          what: 'the consumer to take 5 events',
        });
        const stopping = Date.now();
        first.run.child.kill('SIGINT');
        // Exit 1: rows not written yet; it says where they are kept.
        expect(await withDeadline(first.run.exited, 20_000, 'the consumer to stop'), first.run.output()).toBe(
          1,
        );
        // The bound, 0.5 s for connections to close, the process's own exit, and room for a busy machine.
        expect(Date.now() - stopping).toBeLessThan(stopMs + 3500);
        expect(first.run.output()).toMatch(/checkpoints kept in \S+checkpoints-\d+\.jsonl/);
      } finally {
        await restore();
      }
      const second = await rig.startConsumer({});
      const written = async () =>
        (
          await rig.db.query<{ flow_id: string; n: number; distinct: number }>(
            `SELECT flow_id, count(*)::int AS n, count(DISTINCT checkpoint)::int AS distinct
               FROM integration_events
              WHERE flow_id = ANY($1) AND source_system = 'TickStockAppV2' GROUP BY flow_id`,
            [flows],
          )
        ).rows;
      await pollUntil(async () => (await written()).length === flows.length, {
        timeoutMs: 15_000,
        what: 'the spilled checkpoints in integration_events',
        seen: async () => JSON.stringify(await written()),
      });
      // No browser connected: each flow ends at EVENT_PARSED (EVENT_RECEIVED, EVENT_PARSED). A batch in
      // flight to a frozen server at the bound has no known outcome: it is spilled too, so may be twice.
      for (const row of await written()) {
        expect(row.distinct, row.flow_id).toBe(2);
        if (kind === 'stopped') expect(row.n, row.flow_id).toBe(2);
      }
      await rig.closesCleanly(second.run);
    },
    60_000,
  );
});

describe('the REST API while PostgreSQL is away', () => {
  test("503 with Retry-After, never the database's own message; 200 again once it is back", async () => {
    const { run, url } = await rig.startConsumer({});
    const restore = await outage('stopped');
    try {
      const away = await fetch(`${url}/api/errors/recent?limit=7`);
      const body = await away.text();
      expect(away.status, body).toBe(503);
      expect(away.headers.get('retry-after')).toBe('5');
      expect(body).toMatch(/PostgreSQL is not answering; retry in 5 s/);
      expect(body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|:\d{4,5}/);
    } finally {
      await restore();
    }
    await pollUntil(async () => (await fetch(`${url}/api/errors/recent?limit=8`)).status === 200, {
      timeoutMs: 15_000,
      what: 'the API answering again',
    });
    await rig.closesCleanly(run);
  });
});
