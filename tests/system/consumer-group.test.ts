import { join } from 'node:path';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { describe, expect, inject, test } from 'vitest';
import type { MainServerEvents } from '../../src/contract/socket-events.ts';
import { ADAPTER_STREAM } from '../../src/consumer/socket-adapter.ts';
import { consumerCli, consumerUrl } from '../support/consumer-cli.ts';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';
import { runCli, type CliRun } from '../support/run-cli.ts';
import { readRunReport } from '../support/run-reports.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
const seed = inject('seed');
const db = usePool(services);

interface Health {
  readonly shard: { index: number; count: number } | null;
  readonly counters: { events_processed: number; other_shards: number };
  readonly clients: { main: number; group?: number };
}
const health = async (url: string) => (await fetch(`${url}/health`)).json() as Promise<Health>;

describe('a group of consumers (CONSUMER_SHARD=i/n)', () => {
  test('two consumers split the messages and share their clients: every client gets every event once, each flow is handled and delivered once', async () => {
    const dir = await runTempDir('consumer-group-');
    const consumers: CliRun[] = [];
    const sockets: Socket<MainServerEvents>[] = [];
    try {
      const urls: string[] = [];
      for (const shard of ['1/2', '2/2']) {
        const run = consumerCli(services, dir, { CONSUMER_SHARD: shard });
        consumers.push(run);
        urls.push(await consumerUrl(run, 30_000));
      }
      // Two clients on each consumer, every one counting the flows it is sent.
      const got = urls.flatMap((url) => [0, 1].map(() => ({ url, flows: [] as string[] })));
      for (const client of got) {
        const socket: Socket<MainServerEvents> = io(client.url, { transports: ['websocket'] });
        sockets.push(socket);
        socket.on('pattern_alert', (event) => client.flows.push(event.data.flow_id));
        await withDeadline(
          new Promise((resolve) => socket.once('connect', () => resolve(undefined))),
          5000,
          'a client connected',
        );
      }
      // Each consumer counts the group's clients once a second: publish once both see all four.
      await pollUntil(async () => (await Promise.all(urls.map(health))).every((h) => h.clients.group === 4), {
        timeoutMs: 10_000,
        what: "both consumers counting the group's 4 clients",
        seen: async () => JSON.stringify(await Promise.all(urls.map(health))),
      });

      const sim = runCli(
        ['sim', '--rate', '200', '--duration', '1', '--seed', String(seed), '--count', '200'],
        { REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl },
      );
      expect(await withDeadline(sim.exited, 30_000, 'the simulator'), sim.output()).toBe(0);
      const sent = await db.query<{ flow_id: string }>(
        `SELECT flow_id FROM integration_events WHERE checkpoint = 'PATTERN_PUBLISHED'`,
      );
      const flows = sent.rows.map((r) => r.flow_id).sort();
      expect(flows).toHaveLength(200);
      await pollUntil(() => got.every((c) => c.flows.length >= flows.length), {
        timeoutMs: 15_000,
        what: 'every client to receive every flow',
        // What a flake needs to be understood: who missed which flows, and what each consumer counted.
        seen: async () =>
          JSON.stringify({
            received: got.map((c) => c.flows.length),
            missing: got.map((c) => flows.filter((f) => !c.flows.includes(f))),
            health: await Promise.all(urls.map(health)),
          }),
      });
      for (const client of got) expect([...client.flows].sort()).toEqual(flows); // each once, none missing

      // Each message was handled by exactly one consumer, and both took a share.
      const [a, b] = await Promise.all(urls.map(health));
      expect([a!.shard, b!.shard]).toEqual([
        { index: 1, count: 2 },
        { index: 2, count: 2 },
      ]);
      expect(a!.counters.events_processed + b!.counters.events_processed).toBe(200);
      expect(a!.counters.events_processed).toBeGreaterThan(50);
      expect(b!.counters.events_processed).toBeGreaterThan(50);
      expect(a!.counters.other_shards).toBe(b!.counters.events_processed);
      await pollUntil(
        async () =>
          (
            await db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM integration_events WHERE checkpoint = 'WEBSOCKET_DELIVERED'`,
            )
          ).rows[0]!.n === 200,
        { timeoutMs: 10_000, what: 'one WEBSOCKET_DELIVERED per flow' },
      );
      const twice = await db.query(
        `SELECT flow_id FROM integration_events WHERE checkpoint IN ('EVENT_RECEIVED', 'WEBSOCKET_DELIVERED')
         GROUP BY flow_id, checkpoint HAVING count(*) > 1`,
      );
      expect(twice.rows).toEqual([]);
      // The packets went from consumer to consumer through the adapter's stream.
      const redis = new Redis(services.redisUrl);
      expect(await redis.xlen(ADAPTER_STREAM).finally(() => redis.disconnect())).toBeGreaterThanOrEqual(200);
    } finally {
      for (const s of sockets) s.disconnect();
      for (const run of consumers) run.child.kill('SIGINT');
      await Promise.all(consumers.map((run) => run.exited));
    }
  }, 60_000);

  test('tickstock run --start reference --consumers 2: the workers spread over the group, every flow reaches every client once and is complete', async () => {
    const json = join(await runTempDir('consumer-group-run-'), 'run.json');
    const run = runCli([
      ...['run', '--start', 'reference', '--consumers', '2', '--workers', '2', '--clients', '4'],
      ...['--rate', '100', '--duration', '1', '--grace', '2', '--seed', String(seed)],
      ...['--threshold', 'lost == 0', '--threshold', 'flows_complete >= 1', '--out', `json=${json}`],
    ]);
    expect(await withDeadline(run.exited, 60_000, 'the run'), run.output()).toBe(0);
    expect(run.output()).toMatch(/and 1 other consumer of its group/);
    const r = await readRunReport(json);
    expect(r.delivery).toMatchObject({ sent: 100, received_min: 100, received_max: 100 });
    expect(r.checkpoints).toMatchObject({ recorded: true, complete: 100 });
  }, 90_000);
});
