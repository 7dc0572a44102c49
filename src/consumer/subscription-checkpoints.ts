import { CHECKPOINTS, INTEGRATION_EVENT_TYPES } from '../contract/checkpoints.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { CheckpointSink } from '../tracking/checkpoint-record.ts';
import { consumerCheckpoint } from './checkpoint-factory.ts';
import type { ConsumerStats } from './consumer-stats.ts';
import type { SubscriptionEvents } from './redis-subscription.ts';

/** What the subscription reports, recorded as spec 000's checkpoints and counted; messages go to `message`. */
export function subscriptionCheckpoints(
  deps: { sink: CheckpointSink; stats: ConsumerStats; clock: Clock; logger: Logger },
  message: SubscriptionEvents['message'],
): SubscriptionEvents {
  const { sink, stats, clock, logger } = deps;
  /** The error count at this outage's first error: undefined while connected. */
  let erroredAt: number | undefined;
  return {
    subscribing: (channel) =>
      sink.record(
        consumerCheckpoint(
          clock.now(),
          INTEGRATION_EVENT_TYPES.subscriptionActive,
          CHECKPOINTS.channelSubscribed,
          { channel },
        ),
      ),
    confirmed: (channel, count, afterReconnect) =>
      sink.record(
        consumerCheckpoint(
          clock.now(),
          INTEGRATION_EVENT_TYPES.subscriptionConfirmed,
          CHECKPOINTS.subscriptionConfirmed,
          { channel, details: { subscriber_count: count, after_reconnect: afterReconnect } },
        ),
      ),
    message,
    connectionError: (error) => {
      stats.connectionErrors += 1;
      // Reconnects are tried every 0.5 s at most: one line per outage, the rest counted.
      if (erroredAt !== undefined) return;
      erroredAt = stats.connectionErrors;
      logger.warn(
        { err: error.message, connection_errors: stats.connectionErrors },
        'Redis connection error; reconnecting (further errors until it is back are counted, not logged)',
      );
    },
    reconnected: (downMs) => {
      const errorsThisOutage = stats.connectionErrors - (erroredAt ?? stats.connectionErrors) + 1;
      erroredAt = undefined;
      stats.reconnections += 1;
      sink.record(
        consumerCheckpoint(clock.now(), INTEGRATION_EVENT_TYPES.connection, CHECKPOINTS.redisReconnected, {
          details: { down_ms: Math.round(downMs), connection_errors: stats.connectionErrors },
        }),
      );
      logger.info(
        { down_ms: Math.round(downMs), connection_errors: errorsThisOutage },
        'Redis reconnected and resubscribed',
      );
    },
  };
}
