import { describe, expect, test } from 'vitest';
import { LatencyHistogram } from '../../src/shared/latency-histogram.ts';
import { watchLoopStalls } from '../../src/shared/loop-stalls.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { mainThreadCpuClock } from '../../src/shared/thread-cpu.ts';
import { pollUntil } from '../support/wait-for.ts';

/** Parks this thread off the CPU for `ms`, as when the OS runs others. */
function park(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Computes on this thread until it has had `ms` of CPU (a shared machine gives it less than the wall time). */
function compute(ms: number): void {
  const cpu = mainThreadCpuClock();
  const end = cpu() + ms;
  const giveUp = performance.now() + 5000;
  while (cpu() < end && performance.now() < giveUp);
}

describe('watchLoopStalls', () => {
  test("counts the loop held by the process's own work, not time the process was off the CPU", async () => {
    const loop = watchLoopStalls();
    try {
      park(150);
      await pollUntil(() => loop.stalls().lag_max_ms >= 100, { timeoutMs: 2000, what: 'the parked lag seen' });
      expect(loop.stalls().longest_block_ms, JSON.stringify(loop.stalls())).toBeLessThan(50);
      compute(150);
      await pollUntil(() => loop.stalls().longest_block_ms >= 100, {
        timeoutMs: 2000,
        what: 'the busy hold counted as a block',
        seen: () => JSON.stringify(loop.stalls()),
      });
    } finally {
      loop.stop();
    }
  });
});

describe('LatencyHistogram', () => {
  test('its mean is the recorded values’ mean, merged across histograms too', () => {
    const random = seededRandom(7);
    const [a, b] = [new LatencyHistogram(), new LatencyHistogram()];
    let sum = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const ms = 0.2 + random.next() * random.next() * 80;
      (i % 2 === 0 ? a : b).record(ms);
      sum += Math.round(ms * 1000) / 1000;
    }
    a.addEncoded(b.encode());
    expect(a.summary().count).toBe(20_000);
    // The merged half comes back from buckets (3 significant digits): within 0.1 %.
    expect(a.summary().mean).toBeCloseTo(sum / 20_000, 1);
    a.reset();
    expect(a.summary()).toMatchObject({ count: 0, mean: 0 });
  });
});
