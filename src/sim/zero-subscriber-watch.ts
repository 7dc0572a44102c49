import type { Logger } from '../shared/logger.ts';

const REPEAT_MS = 10_000;

/**
 * Spec 004's silent failure: PUBLISH reaches nobody. Warns loudly the first time, then every 10 s
 * while it goes on, with the count.
 */
export function createZeroSubscriberWatch(logger: Logger, now: () => number) {
  let zero = 0;
  let sinceWarning = 0;
  let lastWarning = -Infinity;
  return {
    observe: (channel: string, receivers: number): void => {
      if (receivers > 0) return;
      zero += 1;
      sinceWarning += 1;
      const t = now();
      if (t - lastWarning < REPEAT_MS) return;
      logger.warn(
        { channel, zero_subscriber_publishes: zero, since_last_warning: sinceWarning },
        `PUBLISH on ${channel} reached 0 subscribers: nobody is listening, these events are lost (is the consumer running and subscribed?)`,
      );
      lastWarning = t;
      sinceWarning = 0;
    },
    count: (): number => zero,
  };
}
