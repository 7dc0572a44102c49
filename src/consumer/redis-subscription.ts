import { Redis } from 'ioredis';
import type { ChannelName } from '../contract/channels.ts';
import type { ClusterTarget } from '../services/cluster-target.ts';
import { connectCluster, pubSubOf, type PubSubClient } from '../services/pubsub-transport.ts';
import { redactUrl } from '../services/redact-url.ts';
import { ServiceError } from '../services/service-error.ts';
import type { Logger } from '../shared/logger.ts';
import { settleWithin } from '../shared/settle-within.ts';

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface SubscriptionEvents {
  /** SUBSCRIBE sent for a channel (CHANNEL_SUBSCRIBED). */
  subscribing(channel: ChannelName): void;
  /** Redis confirmed the subscription (SUBSCRIPTION_CONFIRMED); `count` is this connection's total. */
  confirmed(channel: ChannelName, count: number, afterReconnect: boolean): void;
  message(channel: string, payload: Buffer, receivedAt: number): void;
  connectionError(error: Error): void;
  reconnected(downMs: number): void;
}

/** The subscriber connection: one server (classic SUBSCRIBE), or a Cluster (sharded SSUBSCRIBE). */
function subscriberClient(
  url: string,
  cluster: ClusterTarget | undefined,
  backoff: BackoffOptions,
): PubSubClient {
  const retry = (attempt: number) =>
    Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt - 1, 20));
  const connection = {
    keepAlive: 10_000,
    connectionName: 'tickstock-consumer',
    // A subscriber closed before it ever connected would otherwise keep the process alive 2 s.
    disconnectTimeout: 0,
  };
  if (cluster !== undefined)
    return connectCluster(cluster, {
      lazyConnect: true,
      shardedSubscribers: true,
      enableOfflineQueue: true,
      clusterRetryStrategy: retry,
      redisOptions: { ...connection, maxRetriesPerRequest: null },
    });
  return new Redis(url, {
    ...connection,
    lazyConnect: true,
    autoResubscribe: false,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: retry,
  });
}

/**
 * A dedicated subscriber connection. Messages arrive as raw bytes (so invalid UTF-8 is seen, not
 * silently replaced). On connection loss ioredis reconnects with exponential backoff; we then
 * resubscribe ourselves, channel by channel, so every confirmation is recorded. With `cluster`, the
 * subscription is sharded: one connection per master, each channel on the master owning its slot.
 */
export function createRedisSubscription(
  url: string,
  channels: readonly ChannelName[],
  events: SubscriptionEvents,
  options: {
    backoff: BackoffOptions;
    now: () => number;
    logger: Logger;
    cluster?: ClusterTarget | undefined;
  },
) {
  const redis = subscriberClient(url, options.cluster, options.backoff);
  const pubsub = pubSubOf(redis);
  let connectedOnce = false;
  let downSince: number | undefined;
  let closing = false;

  const subscribeAll = async (afterReconnect: boolean): Promise<void> => {
    for (const channel of channels) {
      events.subscribing(channel);
      const count = await pubsub.subscribe(channel);
      events.confirmed(channel, count, afterReconnect);
    }
  };

  pubsub.onMessage((channel, payload) => events.message(channel.toString('utf8'), payload, options.now()));
  redis.on('error', (error: Error) => events.connectionError(error));
  redis.on('close', () => {
    if (closing || !connectedOnce) return;
    events.connectionError(new Error('connection to Redis closed'));
    if (downSince === undefined) {
      downSince = options.now();
      options.logger.warn('Redis connection lost; reconnecting with backoff');
    }
  });
  redis.on('ready', () => {
    if (!connectedOnce || closing) return;
    const downMs = downSince === undefined ? 0 : options.now() - downSince;
    downSince = undefined;
    subscribeAll(true).then(
      () => events.reconnected(downMs),
      (error: unknown) => options.logger.error({ err: (error as Error).message }, 'resubscribe failed'),
    );
  });

  return {
    redis,
    /**
     * Connects (ioredis retrying by the backoff) and resolves once every channel is confirmed, or
     * fails with a coded error after `timeoutMs`: a Redis restarting or full at start is waited for.
     */
    async start(timeoutMs: number): Promise<void> {
      let last: Error | undefined;
      const note = (error: Error) => (last = error);
      redis.on('error', note);
      const subscribed = (async () => {
        await new Promise<void>((resolve) => {
          redis.once('ready', resolve);
          redis.connect().catch(() => undefined); // a failed first attempt is retried like any other
        });
        connectedOnce = true;
        await subscribeAll(false);
      })();
      subscribed.catch(() => undefined); // given up on, it may still fail later: not an unhandled rejection
      try {
        if (!(await settleWithin(subscribed, timeoutMs))) throw new Error('timed out');
        await subscribed;
      } catch (error) {
        throw new ServiceError(
          'SERVICES_UNREACHABLE',
          `Redis at ${redactUrl(url)} took no subscription within ${(timeoutMs / 1000).toFixed(1)} s: ${(last ?? (error as Error)).message}.`,
          'Start the server, fix REDIS_URL or --redis-url, or give it longer with CONSUMER_START_RETRY_MS.',
          { cause: last ?? error },
        );
      } finally {
        redis.off('error', note);
      }
    },
    async close(): Promise<void> {
      closing = true;
      if (redis.status === 'end') return;
      // Never subscribed (start failed) or not connected now: nothing to QUIT, only reconnects to stop.
      if (!connectedOnce || redis.status !== 'ready') return redis.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
