import { Redis } from 'ioredis';
import type { ChannelName } from '../contract/channels.ts';
import type { Logger } from '../shared/logger.ts';

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

/**
 * A dedicated subscriber connection. Messages arrive as raw bytes (so invalid UTF-8 is seen, not
 * silently replaced). On connection loss ioredis reconnects with exponential backoff; we then
 * resubscribe ourselves, channel by channel, so every confirmation is recorded.
 */
export function createRedisSubscription(
  url: string,
  channels: readonly ChannelName[],
  events: SubscriptionEvents,
  options: { backoff: BackoffOptions; now: () => number; logger: Logger },
) {
  const redis = new Redis(url, {
    lazyConnect: true,
    autoResubscribe: false,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    keepAlive: 10_000,
    connectionName: 'tickstock-consumer',
    retryStrategy: (attempt) =>
      Math.min(options.backoff.maxMs, options.backoff.initialMs * 2 ** Math.min(attempt - 1, 20)),
  });
  let connectedOnce = false;
  let downSince: number | undefined;
  let closing = false;

  const subscribeAll = async (afterReconnect: boolean): Promise<void> => {
    for (const channel of channels) {
      events.subscribing(channel);
      const count = (await redis.subscribe(channel)) as number;
      events.confirmed(channel, count, afterReconnect);
    }
  };

  redis.on('messageBuffer', (channel: Buffer, payload: Buffer) =>
    events.message(channel.toString('utf8'), payload, options.now()),
  );
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
    /** Connects and resolves once every channel is confirmed. */
    async start(): Promise<void> {
      await redis.connect();
      connectedOnce = true;
      await subscribeAll(false);
    },
    async close(): Promise<void> {
      closing = true;
      if (redis.status === 'end') return;
      // Never subscribed (start failed, or still retrying): nothing to QUIT, only reconnects to stop.
      if (!connectedOnce) return redis.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
