import type { ProducerRecorder } from './producer-recorder.ts';

/** A recording given up on: the database did not answer in time (the statement may still land later). */
export class RecordTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'RecordTimeout';
  }
}

function within<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RecordTimeout(timeoutMs)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Every recording settles within `timeoutMs`, so a hung database (a frozen PostgreSQL) holds neither the
 * schedule nor the end of a run (its last heartbeat).
 */
export function boundedRecorder(recorder: ProducerRecorder, timeoutMs: number): ProducerRecorder {
  return {
    published: (events) => within(recorder.published(events), timeoutMs),
    heartbeat: (details) => within(recorder.heartbeat(details), timeoutMs),
  };
}
