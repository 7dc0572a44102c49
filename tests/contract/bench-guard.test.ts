import { describe, expect, test } from 'vitest';
import { compareFigures } from '../perf/bench-guard.ts';

describe("the benches' regression guard", () => {
  test('slower or faster only by more than the wider spread of the runs, now and then', () => {
    const then = {
      p99: { runs: [4.0, 4.2, 4.6], unit: 'ms' as const },
      p50: { runs: [1.5, 1.5, 1.6], unit: 'ms' as const },
      rate: { runs: [20_000, 19_990, 19_995], unit: '/s' as const, higherIsBetter: true },
      gone: { runs: [1], unit: 'ms' as const },
    };
    const now = {
      p99: { runs: [4.5, 4.7, 5.0], unit: 'ms' as const }, // +0.5 against a spread of 0.6: noise
      p50: { runs: [2.0, 2.1, 2.2], unit: 'ms' as const }, // +0.6 against 0.2: slower
      rate: { runs: [21_000, 21_020, 21_010], unit: '/s' as const, higherIsBetter: true }, // faster
      added: { runs: [3], unit: 'ms' as const },
    };
    const verdicts = Object.fromEntries(compareFigures(then, now).map((c) => [c.figure, c.verdict]));
    expect(verdicts).toEqual({ p99: 'within noise', p50: 'slower', rate: 'faster', added: 'new' });
    const lower = compareFigures(then, { rate: { ...now.rate, runs: [18_000, 18_010, 18_005] } });
    expect(lower[0]).toMatchObject({ verdict: 'slower', then: 19_995, now: 18_005, noise: 10 });
  });
});
