import { describe, expect, test } from 'vitest';
import { LatencyHistogram } from '../../src/shared/latency-histogram.ts';
import { afterPrecisely } from '../../src/shared/precise-timer.ts';
import { systemClock } from '../../src/shared/clock.ts';

describe('afterPrecisely', () => {
  test('never fires early, and fires within a fraction of a millisecond where a timer is 1 ms late', async () => {
    const late = new LatencyHistogram();
    let early = 0;
    // Waits from 0 to 3.9 ms: below, at and above the timer's resolution.
    for (let i = 0; i < 200; i++) {
      const ms = (i % 40) / 10;
      const due = systemClock.now() + ms;
      await new Promise<void>((resolve) => afterPrecisely(systemClock, ms, resolve));
      const lateness = systemClock.now() - due;
      if (lateness < 0) early += 1;
      else late.record(lateness);
    }
    const l = late.summary();
    expect(early).toBe(0);
    // A plain setTimeout's median lateness here is about 1 ms: generous for a shared CI machine.
    expect(l.p50, JSON.stringify(l)).toBeLessThan(0.5);
  });
});
