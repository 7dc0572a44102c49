import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { ALL_CHANNELS } from '../../src/contract/channels.ts';
import type { MainServerEvents } from '../../src/contract/socket-events.ts';
import { formatClusterTarget, seedUrl, type ClusterTarget } from '../../src/services/cluster-target.ts';
import { slotRange } from '../../src/services/local-redis-cluster.ts';
import { reapRun, startServices, type ServiceSet } from '../../src/services/provider.ts';
import { RunRegistry } from '../../src/services/run-registry.ts';
import { consumerCli, consumerUrl } from '../support/consumer-cli.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { runCli } from '../support/run-cli.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const isolated = useIsolatedServices();
const config = loadConfig({
  PATH: process.env['PATH'],
  HARNESS_TMPDIR: process.env['HARNESS_TMPDIR'],
}).services;
let registry: RunRegistry;
let services: ServiceSet;

beforeAll(async () => {
  registry = await RunRegistry.create(config.tmpDir);
  // The pipeline's own services are given; only the cluster is started.
  services = await startServices(
    { ...config, postgresUrl: isolated.databaseUrl, redisUrl: isolated.redisUrl },
    registry,
    { redisCluster: true },
  );
}, 30_000);
afterAll(async () => {
  await services.close();
  await reapRun(registry, config);
});

describe('a local Redis Cluster', () => {
  test('three masters on loopback share every slot, password from a 0600 file, none on argv', async () => {
    const cluster = services.redisCluster!;
    expect(cluster.target.nodes).toHaveLength(3);
    expect(services.describe()).toMatch(/redis cluster: local, 3 masters/);
    const node = new Redis({ ...cluster.target.nodes[0]!, password: cluster.target.password });
    try {
      const slots = (await node.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      const byPort = slots.map(([from, to, [host, port]]) => ({ from, to, host, port }));
      expect(byPort.sort((a, b) => a.from - b.from)).toEqual(
        cluster.target.nodes.map((n, i) => ({ from: slotRange(i, 3)[0], to: slotRange(i, 3)[1], ...n })),
      );
    } finally {
      node.disconnect();
    }
    const pids = (await readdir(join(registry.dir, 'procs'))).map(Number);
    expect(pids).toHaveLength(3);
    for (const pid of pids) {
      const argv = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      expect(argv).not.toContain(cluster.target.password!);
    }
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  test('host:port entries, the credentials on one of them for all', () => {
    const env = { REDIS_CLUSTER_NODES: 'redis://:s3cret@127.0.0.1:7000, 127.0.0.1:7001,localhost:7002' };
    expect(loadConfig(env).services.redisCluster).toEqual({
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
        { host: 'localhost', port: 7002 },
      ],
      username: undefined,
      password: 's3cret',
    });
    expect(loadConfig({}).services.redisCluster).toBeUndefined();
  });

  test('a bad list is refused at start, naming the key, never the password', () => {
    const error = ((): ConfigError | undefined => {
      try {
        loadConfig({ REDIS_CLUSTER_NODES: 'redis://:s3cret@127.0.0.1:7000,nohost' });
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.issues.map((i) => i.key)).toEqual(['REDIS_CLUSTER_NODES']);
    expect(error?.message).toMatch(/"nohost" is not host:port/);
    expect(error?.message).not.toContain('s3cret');
  });
});

/** Each spec channel's slot and the port of the master serving it. */
async function channelShards(target: ClusterTarget): Promise<Record<string, { slot: number; port: number }>> {
  const node = new Redis(seedUrl(target));
  try {
    const slots = (await node.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const entries = await Promise.all(
      ALL_CHANNELS.map(async (channel) => {
        const slot = (await node.call('CLUSTER', 'KEYSLOT', channel)) as number;
        const owner = slots.find(([from, to]) => slot >= from && slot <= to);
        return [channel, { slot, port: owner?.[2][1] ?? -1 }] as const;
      }),
    );
    return Object.fromEntries(entries);
  } finally {
    node.disconnect();
  }
}

describe('sharded pub-sub on the cluster', () => {
  test('the simulator SPUBLISHes, the reference consumer SSUBSCRIBEs: every event reaches a Socket.IO client', async () => {
    const target = services.redisCluster!.target;
    const shards = await channelShards(target);
    console.log(`[redis-cluster] channel → slot @ master port: ${JSON.stringify(shards)}`);
    // The spec's channel names hash to slots on more than one master: the shards share the load.
    expect(new Set(Object.values(shards).map((s) => s.port)).size).toBeGreaterThan(1);

    const dir = await runTempDir('cluster-');
    // The password stays off argv: REDIS_CLUSTER_NODES carries it, in the environment.
    const consumer = consumerCli(
      { databaseUrl: isolated.databaseUrl, redisUrl: 'redis://127.0.0.1:1' },
      dir,
      {
        REDIS_CLUSTER_NODES: formatClusterTarget(target),
        ENABLE_INTEGRATION_TRACKING: 'false',
      },
    );
    let socket: Socket<MainServerEvents> | undefined;
    try {
      const url = await consumerUrl(consumer);
      expect(consumer.output()).toMatch(/sharded pub-sub on 3 cluster nodes/);
      // Each channel's subscription sits on the master that owns its slot, and only there.
      for (const [channel, { port }] of Object.entries(shards)) {
        const counts = await Promise.all(
          target.nodes.map(async (n) => {
            const node = new Redis({ ...n, password: target.password });
            const [, count] = (await node.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
            node.disconnect();
            return [n.port, count];
          }),
        );
        expect(counts, channel).toEqual(target.nodes.map((n) => [n.port, n.port === port ? 1 : 0]));
      }
      socket = io(url, { transports: ['websocket'] });
      const received = { patterns: 0, aux: 0 };
      socket.on('pattern_alert', () => (received.patterns += 1));
      socket.on('backtest_progress', () => (received.aux += 1));
      socket.on('backtest_result', () => (received.aux += 1));
      socket.on('system_health', () => (received.aux += 1));
      const connected = socket;
      await withDeadline(
        new Promise((resolve) => connected.once('connect', () => resolve(undefined))),
        5000,
        'the client connected',
      );

      const report = join(dir, 'sim.json');
      const sim = runCli(
        [
          'sim',
          '--redis-cluster',
          formatClusterTarget(target),
          '--no-db',
          '--rate',
          '200',
          '--duration',
          '1',
          '--backtest-rate',
          '20',
          '--health-rate',
          '10',
          '--seed',
          String(inject('seed')),
          '--out',
          `json=${report}`,
        ],
        {},
      );
      expect(await sim.exited, sim.output()).toBe(0);
      const stats = JSON.parse(await readFile(report, 'utf8')) as {
        sent: number;
        aux_sent: number;
        zero_subscriber_publishes: number;
      };
      expect(stats.sent).toBeGreaterThan(150);
      expect(stats.aux_sent).toBeGreaterThan(10);
      expect(stats.zero_subscriber_publishes).toBe(0);
      await pollUntil(() => received.patterns === stats.sent && received.aux === stats.aux_sent, {
        timeoutMs: 10_000,
        what: `${stats.sent} patterns and ${stats.aux_sent} backtest/health messages in the client`,
        seen: () => JSON.stringify(received),
      });
    } finally {
      socket?.disconnect();
      consumer.child.kill('SIGINT');
      await consumer.exited;
    }
  }, 30_000);
});
