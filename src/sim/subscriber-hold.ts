import { setTimeout as delay } from 'node:timers/promises';
import { pubSubOf, type PubSubClient } from '../services/pubsub-transport.ts';
import type { Logger } from '../shared/logger.ts';

const POLL_MS = 50;

/**
 * `--hold-while-unsubscribed`: once a PUBLISH reaches nobody (or Redis is away), publishing waits until
 * the channel has a subscriber again (PUBSUB NUMSUB, or SHARDNUMSUB on a cluster). The schedule is not moved: what fell due while held
 * goes out late, in order, and its lateness shows how late.
 */
export function createSubscriberHold(
  redis: PubSubClient,
  channel: string,
  logger: Logger,
  now: () => number,
) {
  let gate: Promise<void> | undefined;
  let release: (() => void) | undefined;
  let stopped = false;
  let heldMs = 0;

  const subscribed = async (): Promise<boolean> => {
    if (redis.status !== 'ready') return false;
    return (await pubSubOf(redis).subscribers(channel)) > 0;
  };

  const engage = (why: string): void => {
    if (gate !== undefined || stopped) return;
    const since = now();
    logger.warn({ channel }, `${why}: holding publishes until ${channel} has a subscriber`);
    gate = new Promise((resolve) => (release = resolve));
    void (async () => {
      while (!stopped && !(await subscribed().catch(() => false))) await delay(POLL_MS);
      heldMs += now() - since;
      logger.info({ channel, held_ms: Math.round(now() - since) }, 'a subscriber is back: publishing');
      gate = undefined;
      release?.();
    })();
  };

  return {
    /** Whether publishing must wait; engages the hold if Redis is not connected. */
    held(): boolean {
      if (gate === undefined && redis.status !== 'ready') engage('Redis is not connected');
      return gate !== undefined;
    },
    /** Resolves when publishing may go on. */
    released: (): Promise<void> => gate ?? Promise.resolve(),
    /** A PUBLISH reached this many subscribers. */
    observe(receivers: number): void {
      if (receivers === 0) engage(`PUBLISH on ${channel} reached 0 subscribers`);
    },
    /** Stopping releases a hold: what is held goes out (to nobody, counted as such). */
    stop(): void {
      stopped = true;
      release?.();
    },
    heldMs: (): number => heldMs,
  };
}

export type SubscriberHold = ReturnType<typeof createSubscriberHold>;
