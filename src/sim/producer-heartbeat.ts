import type { PubSubClient } from '../services/pubsub-transport.ts';
import { PRODUCER_HEARTBEAT_KEY } from '../contract/channels.ts';
import type { ProducerHeartbeatDetails } from '../contract/schemas/heartbeats.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { ProducerRecorder } from './producer-recorder.ts';

export interface HeartbeatSource {
  patternsDetected(): number;
  lastPatternTime(): number | null;
}

/**
 * Spec 001 §2: at start and every interval, SET tickstock:producer:heartbeat to Unix seconds and
 * record PRODUCER_ALIVE with its stats (by default through log_integration_event(), exactly as the spec calls it).
 */
export function startProducerHeartbeat(
  deps: { redis: PubSubClient; recorder: ProducerRecorder | undefined; clock: Clock; logger: Logger },
  source: HeartbeatSource,
  intervalMs: number,
): { stop(): Promise<void>; beat(): Promise<void> } {
  const startedAt = deps.clock.now();
  const beat = async (): Promise<void> => {
    const now = deps.clock.now();
    try {
      await deps.redis.set(PRODUCER_HEARTBEAT_KEY, String(now / 1000));
      const details: ProducerHeartbeatDetails = {
        patterns_detected: source.patternsDetected(),
        uptime_seconds: Math.floor((now - startedAt) / 1000),
        last_pattern_time: source.lastPatternTime(),
      };
      await deps.recorder?.heartbeat(details);
    } catch (error) {
      deps.logger.warn({ err: (error as Error).message }, 'producer heartbeat failed');
    }
  };
  // The beats in flight, so that stop() returns only when nothing more will be written.
  const inFlight = new Set<Promise<void>>();
  const tracked = (): Promise<void> => {
    const p = beat().finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  };
  const timer = setInterval(() => void tracked(), intervalMs);
  void tracked();
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
    beat: tracked,
  };
}
