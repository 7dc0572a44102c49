import type { Socket } from 'node:net';
import { Cluster, type ClusterOptions, type Redis } from 'ioredis';
import type { ClusterTarget } from './cluster-target.ts';

/** A connection pub-sub goes through: one server, or a Redis Cluster. */
export type PubSubClient = Redis | Cluster;

/**
 * How messages reach subscribers, chosen by the client once, so that no caller asks which it has.
 * Classic: PUBLISH/SUBSCRIBE on one server, the deployed system's way. Sharded (a Cluster): Redis 7's
 * SPUBLISH/SSUBSCRIBE, each channel served by the master owning its slot, so pub-sub load spreads over
 * the masters instead of being copied to every node as a cluster's classic PUBLISH is.
 */
export interface PubSubTransport {
  readonly kind: 'classic' | 'sharded';
  /** Resolves to the number of subscribers that got it. */
  publish(channel: string, message: string | Buffer): Promise<number>;
  /** Each message, in order, as one write; one outcome per message. */
  publishEach(channel: string, messages: readonly string[]): Promise<number>[];
  /** Subscribers of `channel` now: PUBSUB NUMSUB, or SHARDNUMSUB summed over the masters. */
  subscribers(channel: string): Promise<number>;
  /** On a subscriber connection; resolves to the count Redis confirmed for that connection. */
  subscribe(channel: string): Promise<number>;
  /** Every message as bytes (invalid UTF-8 is seen, not replaced). */
  onMessage(handler: (channel: Buffer, payload: Buffer) => void): void;
}

const countOf = (reply: unknown): number => Number((reply as [string, number])[1] ?? 0);

function classic(redis: Redis): PubSubTransport {
  return {
    kind: 'classic',
    publish: (channel, message) => redis.publish(channel, message),
    publishEach: (channel, messages) => {
      // Corked: one writev for the batch. A write each was most of the generator's CPU (system time).
      const socket = redis.stream as Socket | undefined;
      socket?.cork();
      try {
        return messages.map((m) => redis.publish(channel, m));
      } finally {
        socket?.uncork();
      }
    },
    subscribers: async (channel) => countOf(await redis.pubsub('NUMSUB', channel)),
    subscribe: async (channel) => (await redis.subscribe(channel)) as number,
    onMessage: (handler) => void redis.on('messageBuffer', handler),
  };
}

function sharded(cluster: Cluster): PubSubTransport {
  return {
    kind: 'sharded',
    publish: async (channel, message) => (await cluster.spublish(channel, message)) as number,
    publishEach: (channel, messages) =>
      messages.map(async (m) => (await cluster.spublish(channel, m)) as number),
    // A master answers for the channels of its own slots (0 for the others).
    subscribers: async (channel) => {
      const replies = await Promise.all(
        cluster.nodes('master').map((node) => node.call('PUBSUB', 'SHARDNUMSUB', channel)),
      );
      return replies.reduce<number>((sum, reply) => sum + countOf(reply), 0);
    },
    subscribe: async (channel) => (await cluster.ssubscribe(channel)) as number,
    onMessage: (handler) => void cluster.on('smessageBuffer', handler),
  };
}

export function pubSubOf(client: PubSubClient): PubSubTransport {
  return client instanceof Cluster ? sharded(client) : classic(client);
}

/** A Cluster client on `target`; its credentials hold for every node it discovers. */
export function connectCluster(target: ClusterTarget, options: ClusterOptions = {}): Cluster {
  const { username, password } = target;
  return new Cluster(
    target.nodes.map((n) => ({ host: n.host, port: n.port })),
    { ...options, redisOptions: { ...options.redisOptions, username, password } },
  );
}
