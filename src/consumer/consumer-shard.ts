import { crc32 } from 'node:zlib';
import type { SubscriptionEvents } from './redis-subscription.ts';

/** This consumer's share of a group: shard `index` (1-based) of `count`, CONSUMER_SHARD=index/count. */
export interface ConsumerShard {
  readonly index: number;
  readonly count: number;
}

/**
 * Every consumer of a group receives every message; each handles those whose bytes fall to its shard.
 * Decided on the raw bytes, so all of them decide alike without parsing, and each message is handled
 * (validated, recorded, emitted) by exactly one.
 */
export function ownsMessage(shard: ConsumerShard, payload: Buffer): boolean {
  return crc32(payload) % shard.count === shard.index - 1;
}

/** The subscription's events with the other shards' messages counted and dropped before any work. */
export function shardedEvents(
  events: SubscriptionEvents,
  shard: ConsumerShard | undefined,
  onOthers: () => void,
): SubscriptionEvents {
  if (shard === undefined || shard.count === 1) return events;
  return {
    ...events,
    message: (channel, payload, receivedAt) => {
      if (ownsMessage(shard, payload)) events.message(channel, payload, receivedAt);
      else onOthers();
    },
  };
}
