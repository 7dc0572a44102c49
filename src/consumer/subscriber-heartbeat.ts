import { CHECKPOINTS, INTEGRATION_EVENT_TYPES } from '../contract/checkpoints.ts';
import type { SubscriberHeartbeatDetails } from '../contract/schemas/heartbeats.ts';
import type { Clock } from '../shared/clock.ts';
import type { CheckpointSink } from '../tracking/checkpoint-record.ts';
import { consumerCheckpoint } from './checkpoint-factory.ts';
import type { ConsumerStats } from './consumer-stats.ts';

/**
 * Spec 000 §3: SUBSCRIBER_ALIVE with the subscriber's stats, every interval from `start()`, which
 * beats at once: a consumer just subscribed is alive, not "never" seen until its first interval ends.
 */
export function subscriberHeartbeat(
  deps: {
    sink: CheckpointSink;
    stats: ConsumerStats;
    clock: Clock;
    channels: readonly string[];
    startedAt: number;
  },
  intervalMs: number,
): { start(): void; stop(): void } {
  const beat = (): void => {
    const now = deps.clock.now();
    const c = deps.stats.counters();
    const details: SubscriberHeartbeatDetails = {
      subscribed_channels: [...deps.channels],
      events_received: c.events_received,
      events_processed: c.events_processed,
      events_forwarded: c.events_forwarded,
      connection_errors: c.connection_errors,
      uptime_seconds: Math.round((now - deps.startedAt) / 1000),
      last_event_time: c.last_event_time,
    };
    deps.sink.record(
      consumerCheckpoint(now, INTEGRATION_EVENT_TYPES.heartbeat, CHECKPOINTS.subscriberAlive, {
        details: { ...details },
      }),
    );
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      if (timer !== undefined) return;
      beat();
      timer = setInterval(beat, intervalMs);
    },
    stop: () => clearInterval(timer),
  };
}
