import type { Clock } from './clock.ts';

/** Timers have millisecond resolution and wake 1 to 1.5 ms late: the last millisecond is waited out here. */
const TIMER_RESOLUTION_MS = 1;
const FUTEX = new Int32Array(new SharedArrayBuffer(4));

/**
 * Calls `fn` `ms` from now to within tens of microseconds, for open-loop generators whose lateness is
 * what they report. A timer covers all but the last millisecond; that one is waited out on a futex
 * (Atomics.wait: microsecond resolution, no CPU spent) after one turn of the event loop, so I/O is never
 * held for longer than that millisecond. The timer keeps the process alive, as a pending send should.
 */
export function afterPrecisely(clock: Clock, ms: number, fn: () => void): void {
  const until = clock.now() + ms;
  const finish = (): void => {
    const left = until - clock.now();
    if (left > 0) Atomics.wait(FUTEX, 0, 0, left);
    fn();
  };
  if (ms >= 2 * TIMER_RESOLUTION_MS) setTimeout(() => setImmediate(finish), ms - TIMER_RESOLUTION_MS);
  else setImmediate(finish);
}
