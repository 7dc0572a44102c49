import type { PatternEvent } from '../contract/schemas/pattern-event.ts';

export interface DueEvent {
  readonly event: PatternEvent;
  /** When the schedule meant it to go out (epoch ms). */
  readonly scheduledAt: number;
  /** Sent instead of the event: a malformed rendering of it (never recorded as published). */
  readonly malformed?: string;
}

export interface SendQueueDeps {
  /**
   * Records PATTERN_PUBLISHED for a batch; resolves even when recording failed or timed out (spec 001
   * publishes anyway), so it settles within the recorder's timeout.
   */
  readonly record: ((events: readonly PatternEvent[]) => Promise<void>) | undefined;
  /** Issues every PUBLISH of a batch now, in order; resolves once Redis has answered them. */
  readonly publish: (batch: readonly DueEvent[]) => Promise<void>;
  /** How long a batch waits for its recording before it is published anyway. */
  readonly recordWaitMs: number;
}

const recordable = (batch: readonly DueEvent[]): PatternEvent[] =>
  batch.flatMap((d) => (d.malformed === undefined ? [d.event] : []));

/** Whether `promise` settles within `ms` (it goes on either way). */
function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Record, then publish, with one recording in flight: whatever falls due while it runs goes out as the
 * next batch. The number of statements thus follows the database's round trip, not the pacer's tick:
 * one statement per 1 ms tick queued behind the pool whenever a round trip took longer, and the queue,
 * with the lateness, grew for the rest of the run. Four in flight (the pool's size) did worse on 2 cores:
 * at 1,000 events/s publish→client p99 26.0 ms against 14.0 ms, more statements of fewer rows each. PUBLISH replies are not awaited before the next
 * batch: one connection keeps the order.
 *
 * A recording that takes longer than `recordWaitMs` no longer holds the schedule (a frozen PostgreSQL
 * stopped publishing for 25 s): the batch goes out, and until that recording settles every batch is
 * published as it falls due, its PATTERN_PUBLISHED recorded afterwards in one statement.
 */
export function createSendQueue(deps: SendQueueDeps) {
  const { record, publish, recordWaitMs } = deps;
  let pending: DueEvent[] = [];
  /** Published while the database was slow; recorded by the next statement. */
  let publishedUnrecorded: PatternEvent[] = [];
  let slow = false;
  let draining: Promise<void> = Promise.resolve();
  let busy = false;
  let published: Promise<void> = Promise.resolve();
  // Values dropped: a chain of Promise.all values would keep every batch's replies until the end.
  const andThen = (batch: readonly DueEvent[]): void => {
    published = Promise.all([published, publish(batch)]).then(() => undefined);
  };

  const publishUnrecorded = (batch: readonly DueEvent[]): void => {
    andThen(batch);
    publishedUnrecorded.push(...recordable(batch));
  };

  const drain = async (recordEvents: NonNullable<typeof record>): Promise<void> => {
    while (pending.length > 0 || publishedUnrecorded.length > 0) {
      const batch = pending;
      pending = [];
      const events = [...publishedUnrecorded, ...recordable(batch)];
      publishedUnrecorded = [];
      const recording = events.length === 0 ? Promise.resolve() : recordEvents(events);
      const inTime = await settlesWithin(recording, recordWaitMs);
      if (batch.length > 0) andThen(batch);
      if (!inTime) {
        slow = true;
        // What fell due during the wait goes out now, recorded after this recording settles.
        const waited = pending;
        pending = [];
        if (waited.length > 0) publishUnrecorded(waited);
        await recording;
        slow = false;
      }
    }
    busy = false;
  };

  return {
    enqueue(batch: readonly DueEvent[]): void {
      if (record === undefined) {
        andThen(batch);
        return;
      }
      if (slow) {
        publishUnrecorded(batch);
        return;
      }
      pending.push(...batch);
      if (busy) return;
      busy = true;
      draining = drain(record);
    },
    /** Resolves once everything enqueued so far is recorded (or given up on) and published. */
    async flushed(): Promise<void> {
      await draining;
      await published;
    },
  };
}
