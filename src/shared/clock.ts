/** Wall-clock time in epoch milliseconds with sub-millisecond resolution; injected so tests can control it. */
export interface Clock {
  now(): number;
}

/** A clock that can also call back later, for code whose behaviour over time is under test. */
export interface TimerClock extends Clock {
  /** Calls `fn` once after `ms`; the returned function cancels it. Never keeps the process alive. */
  after(ms: number, fn: () => void): () => void;
}

// timeOrigin + now() is the high-resolution wall clock, comparable across threads and processes.
export const systemClock: TimerClock = {
  now: () => performance.timeOrigin + performance.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms).unref();
    return () => clearTimeout(timer);
  },
};
