import type { PatternEvent } from '../contract/schemas/pattern-event.ts';

export interface DueEvent {
  readonly event: PatternEvent;
  /** When the schedule meant it to go out (epoch ms). */
  readonly scheduledAt: number;
  /** Sent instead of the event: a malformed rendering of it (never recorded as published). */
  readonly malformed?: string;
}

export interface SendQueueDeps {
  /** Records PATTERN_PUBLISHED for a batch; resolves even when recording failed (spec 001 publishes anyway). */
  readonly record: ((events: readonly PatternEvent[]) => Promise<void>) | undefined;
  /** Issues every PUBLISH of a batch now, in order; resolves once Redis has answered them. */
  readonly publish: (batch: readonly DueEvent[]) => Promise<void>;
}

/**
 * Record, then publish, with one recording in flight: whatever falls due while it runs goes out as the
 * next batch. The number of statements thus follows the database's round trip, not the pacer's tick:
 * one statement per 1 ms tick queued behind the pool whenever a round trip took longer, and the queue,
 * with the lateness, grew for the rest of the run. PUBLISH replies are not awaited before the next
 * batch: one connection keeps the order.
 */
export function createSendQueue(deps: SendQueueDeps) {
  const { record, publish } = deps;
  let pending: DueEvent[] = [];
  let draining: Promise<void> = Promise.resolve();
  let busy = false;
  let published: Promise<unknown> = Promise.resolve();

  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      await record?.(batch.flatMap((d) => (d.malformed === undefined ? [d.event] : [])));
      published = Promise.all([published, publish(batch)]);
    }
    busy = false;
  };

  return {
    enqueue(batch: readonly DueEvent[]): void {
      if (record === undefined) {
        published = Promise.all([published, publish(batch)]);
        return;
      }
      pending.push(...batch);
      if (busy) return;
      busy = true;
      draining = drain();
    },
    /** Resolves once everything enqueued so far is recorded and published. */
    async flushed(): Promise<void> {
      await draining;
      await published;
    },
  };
}
