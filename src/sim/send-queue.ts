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

/** As many as the simulator's pool holds connections (sim-command.ts). */
export const RECORDINGS_IN_FLIGHT = 4;

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
 * Record, then publish: each batch's PATTERN_PUBLISHED statement starts as the batch falls due, up to
 * RECORDINGS_IN_FLIGHT at once; whatever falls due while that many are running goes out as one batch
 * after them, so under load the statements per second follow the database's round trip, not the pacer's
 * tick. With one recording in flight an event waited up to two round trips (the running one, then its
 * own): at 1,000 events/s the simulator's lateness p99 was 8.3 ms against 2.0 ms recording nothing.
 * Batches are published strictly in schedule order, each once its own recording settled; PUBLISH replies
 * are not awaited before the next batch (one connection keeps the order).
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
  /** Recordings past `recordWaitMs` and not yet settled. */
  let overrunning = 0;
  let inFlight = 0;
  /** The publishing order: each batch's turn follows the one before it. */
  let turn: Promise<void> = Promise.resolve();
  let published: Promise<void> = Promise.resolve();
  let idle: (() => void) | undefined;
  // Values dropped: a chain of Promise.all values would keep every batch's replies until the end.
  const andThen = (batch: readonly DueEvent[]): void => {
    published = Promise.all([published, publish(batch)]).then(() => undefined);
  };
  const inTurn = (step: () => Promise<void> | void): void => {
    turn = turn.then(step);
  };
  const publishUnrecorded = (batch: readonly DueEvent[]): void =>
    inTurn(() => {
      andThen(batch);
      publishedUnrecorded.push(...recordable(batch));
    });

  const startRecording = (recordEvents: NonNullable<typeof record>): void => {
    const batch = pending;
    pending = [];
    const events = [...publishedUnrecorded, ...recordable(batch)];
    publishedUnrecorded = [];
    inFlight += 1;
    const recording = events.length === 0 ? Promise.resolve() : recordEvents(events);
    const inTime = settlesWithin(recording, recordWaitMs); // timed from now, not from its turn
    let overran = false;
    inTurn(async () => {
      if (!(await inTime)) {
        overran = true;
        overrunning += 1;
        // What fell due during the wait goes out now, recorded after the slow recordings settle.
        const waited = pending;
        pending = [];
        if (waited.length > 0) publishUnrecorded(waited);
      }
      if (batch.length > 0) andThen(batch);
    });
    void recording.then(() => {
      inFlight -= 1;
      if (overran) overrunning -= 1;
      next(recordEvents);
    });
  };

  const next = (recordEvents: NonNullable<typeof record>): void => {
    const waiting = pending.length > 0 || publishedUnrecorded.length > 0;
    if (overrunning === 0 && waiting && inFlight < RECORDINGS_IN_FLIGHT) startRecording(recordEvents);
    else if (inFlight === 0 && !waiting) idle?.();
  };

  return {
    enqueue(batch: readonly DueEvent[]): void {
      if (record === undefined) {
        andThen(batch);
        return;
      }
      if (overrunning > 0) {
        publishUnrecorded(batch);
        return;
      }
      pending.push(...batch);
      next(record);
    },
    /** Resolves once everything enqueued so far is recorded (or given up on) and published. */
    async flushed(): Promise<void> {
      if (inFlight > 0 || pending.length > 0 || publishedUnrecorded.length > 0)
        await new Promise<void>((resolve) => (idle = resolve));
      await turn;
      await published;
    },
  };
}
