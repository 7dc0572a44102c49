import { Redis } from 'ioredis';
import type { ClusterTarget } from './cluster-target.ts';
import { newRedisPassword, startRedisNode, type RedisNode } from './local-redis.ts';
import type { RunRegistry } from './run-registry.ts';
import { once } from './running-service.ts';
import { ServiceError } from './service-error.ts';
import type { ServicesConfig } from './services-config.ts';

export const CLUSTER_SLOTS = 16_384;

/** A private Redis Cluster: masters only, every slot assigned, on loopback. */
export interface RunningCluster {
  readonly origin: 'local';
  readonly target: ClusterTarget;
  readonly startupMs: number;
  close(): Promise<void>;
}

const CLUSTER_CONF = [
  'cluster-enabled yes',
  'cluster-config-file nodes.conf', // in the node's own directory (dir)
  'cluster-node-timeout 2000',
];

/** Slots split evenly: node i of n gets [from, to]. */
export function slotRange(i: number, n: number): [number, number] {
  const size = Math.floor(CLUSTER_SLOTS / n);
  return [i * size, i === n - 1 ? CLUSTER_SLOTS - 1 : (i + 1) * size - 1];
}

/**
 * Starts `masters` cluster nodes (the same password, in 0600 config files), gives each a slot range
 * and a config epoch, has them MEET, and resolves once every node reports cluster_state:ok. Done from
 * ioredis rather than `redis-cli --cluster create` so that the password never appears in an argv.
 */
export async function startLocalRedisCluster(
  config: ServicesConfig,
  registry: RunRegistry,
  masters = 3,
): Promise<RunningCluster> {
  const started = Date.now();
  const password = newRedisPassword();
  const settled = await Promise.allSettled(
    Array.from({ length: masters }, () =>
      startRedisNode(config, registry, password, [...CLUSTER_CONF, `masterauth ${password}`]),
    ),
  );
  const nodes = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const close = once(async () => {
    await Promise.all(nodes.map((n) => n.close()));
  });
  try {
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    await formCluster(nodes, password, config.startTimeoutMs);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    origin: 'local',
    target: {
      nodes: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      username: undefined,
      password,
    },
    startupMs: Date.now() - started,
    close,
  };
}

async function formCluster(nodes: readonly RedisNode[], password: string, timeoutMs: number): Promise<void> {
  const clients = nodes.map(
    (n) => new Redis({ host: '127.0.0.1', port: n.port, password, lazyConnect: true }),
  );
  try {
    await Promise.all(
      clients.map(async (client, i) => {
        const [from, to] = slotRange(i, clients.length);
        await client.call('CLUSTER', 'SET-CONFIG-EPOCH', i + 1);
        await client.call('CLUSTER', 'ADDSLOTSRANGE', from, to);
      }),
    );
    const [first] = clients;
    for (const node of nodes.slice(1)) await first?.call('CLUSTER', 'MEET', '127.0.0.1', node.port);
    await untilAllOk(clients, nodes, timeoutMs);
  } finally {
    clients.forEach((c) => c.disconnect());
  }
}

/** Polls CLUSTER INFO with a deadline: gossip takes a moment to spread the slot map. */
async function untilAllOk(clients: readonly Redis[], nodes: readonly RedisNode[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let states: string[] = [];
  while (Date.now() < deadline) {
    const infos = await Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>));
    states = infos.map((info) => /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown');
    const known = infos.map((info) => Number(/cluster_known_nodes:(\d+)/.exec(info)?.[1] ?? 0));
    if (states.every((s) => s === 'ok') && known.every((k) => k === nodes.length)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new ServiceError(
    'SERVICES_START_TIMEOUT',
    `Redis Cluster on ports ${nodes.map((n) => n.port).join(', ')} not formed within ${timeoutMs} ms (cluster_state: ${states.join(', ')}).`,
    'Raise HARNESS_START_TIMEOUT_MS on a slow machine, or read the nodes’ logs for the cause.',
  );
}
