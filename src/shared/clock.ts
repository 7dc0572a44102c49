/** Wall-clock time in epoch milliseconds with sub-millisecond resolution; injected so tests can control it. */
export interface Clock {
  now(): number;
}

// timeOrigin + now() is the high-resolution wall clock, comparable across threads and processes.
export const systemClock: Clock = { now: () => performance.timeOrigin + performance.now() };
