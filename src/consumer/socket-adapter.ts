import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { ClusterTarget } from '../services/cluster-target.ts';
import { connectCluster } from '../services/pubsub-transport.ts';

/** The stream the consumers of one group broadcast their Socket.IO packets through. */
export const ADAPTER_STREAM = 'tickstock:socket.io';

/**
 * Socket.IO's Redis Streams adapter, for consumers that share their clients: a packet emitted by any
 * of them reaches the clients of all. A stream, not pub-sub, so a Redis restart loses no packet.
 */
export function redisStreamsAdapter(redisUrl: string, cluster: ClusterTarget | undefined) {
  const redis =
    cluster === undefined
      ? new Redis(redisUrl, { connectionName: 'tickstock-consumer-adapter', maxRetriesPerRequest: null })
      : connectCluster(cluster, { redisOptions: { connectionName: 'tickstock-consumer-adapter' } });
  return {
    // A consumer more than maxLen packets behind loses the oldest (the stream is trimmed): the adapter's
    // 10,000 is 10 s at 1,000 events/s, which an overloaded group passed (a run lost flows); 100 s here.
    adapter: createAdapter(redis, { streamName: ADAPTER_STREAM, maxLen: 100_000 }),
    close: () => redis.disconnect(),
  };
}
