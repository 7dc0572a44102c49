import type { PubSubClient } from '../services/pubsub-transport.ts';
import type { TimerClock } from '../shared/clock.ts';
import { LatencyHistogram } from '../shared/latency-histogram.ts';
import { afterPrecisely } from '../shared/precise-timer.ts';
import { FLOOR_CHANNEL } from './bare-relay.ts';
import type { LoadSource } from './run-load.ts';

/** A pattern-sized message stamped with its intended send time (the clients measure from it). */
const message = (intendedMs: number, flowId: string): string =>
  JSON.stringify({
    event_type: 'pattern_detected',
    source: 'floor',
    timestamp: intendedMs / 1000,
    data: { symbol: 'AAPL', pattern: 'Volume_Spike', confidence: 0.9, flow_id: flowId, tier: 'daily' },
  });

/**
 * The floor's generator: open loop, paced like the simulator's, and nothing else (no content generation, no
 * recording), every due message PUBLISHed at each wake, on the floor's own channel.
 */
export function floorSource(
  deps: { redis: PubSubClient; clock: TimerClock },
  options: { rate: number; seconds: number; prefix: string },
): LoadSource {
  let stopping = false;
  return {
    run: async (onSent) => {
      const { clock } = deps;
      const lateness = new LatencyHistogram();
      const start = clock.now();
      const total = Math.round(options.rate * options.seconds);
      const replies: Promise<number>[] = [];
      let n = 0;
      while (n < total && !stopping) {
        const now = clock.now();
        for (; n < total && start + (n * 1000) / options.rate <= now; n++) {
          const intended = start + (n * 1000) / options.rate;
          const flowId = `${options.prefix}-${n}`;
          onSent(flowId, intended);
          // Classic PUBLISH even on a cluster: the bare relay SUBSCRIBEs on one node, and a cluster
          // forwards a classic PUBLISH to every node.
          replies.push(deps.redis.publish(FLOOR_CHANNEL, message(intended, flowId)));
          lateness.record(now - intended);
        }
        const wait = Math.max(0, start + (n * 1000) / options.rate - clock.now());
        await new Promise<void>((resolve) => afterPrecisely(clock, wait, resolve));
      }
      await Promise.all(replies);
      return { sent: n, lateness: lateness.summary(), malformed: 0, aux: 0, errors: 0, errorLateness: null };
    },
    stop: () => void (stopping = true),
  };
}
