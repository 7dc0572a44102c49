import type { TimerClock } from '../../src/shared/clock.ts';

/** A clock that moves only when the test says so; due callbacks run in time order. */
export class FakeClock implements TimerClock {
  private current: number;
  private readonly timers = new Set<{ at: number; fn: () => void }>();

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.current + ms, fn };
    this.timers.add(timer);
    return () => void this.timers.delete(timer);
  }

  /** Moves time on by `ms`, running every callback that falls due on the way. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const due = [...this.timers].filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers.delete(due);
      this.current = due.at;
      due.fn();
    }
    this.current = end;
  }

  /** Callbacks still waiting: a closed component should leave none. */
  pending(): number {
    return this.timers.size;
  }
}
