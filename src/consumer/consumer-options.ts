import { ALL_CHANNELS, type ChannelName } from '../contract/channels.ts';
import type { ConsumerShard } from './consumer-shard.ts';
import type { BackoffOptions } from './redis-subscription.ts';

// Apart from the consumer itself, so configuration reads its defaults without loading a driver.
export interface ConsumerOptions {
  /** 127.0.0.1 unless you mean to expose it. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly heartbeatIntervalMs: number;
  readonly backoff: BackoffOptions;
  readonly channels: readonly ChannelName[];
  /** CONSUMER_START_RETRY_MS: how long start() waits for Redis to take the subscription. */
  readonly startRetryMs: number;
  /** CONSUMER_STOP_TIMEOUT_MS: how long close() waits for unwritten errors and checkpoints. */
  readonly closeTimeoutMs: number;
  /** Rejected pattern messages whose EVENT_RECEIVED and EVENT_REJECTED rows are written, per second; the rest are only counted. */
  readonly rejectedCheckpointsPerSecond: number;
  /** One of a group: handles its share of the messages and shares its clients with the others. */
  readonly shard?: ConsumerShard | undefined;
}

export const DEFAULT_CONSUMER: ConsumerOptions = {
  host: '127.0.0.1',
  port: 8787,
  heartbeatIntervalMs: 60_000,
  // Capped at 0.5 s: a refused connect costs nothing, and a 5 s cap resubscribed up to 5 s after Redis
  // was back (3.2 s measured), while every event published meanwhile reached nobody.
  backoff: { initialMs: 100, maxMs: 500 },
  channels: ALL_CHANNELS,
  startRetryMs: 5000,
  closeTimeoutMs: 5000,
  rejectedCheckpointsPerSecond: 100,
};
