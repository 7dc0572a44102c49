import { describe, expect, test } from 'vitest';
import { perSecondBudget, spacedBy } from '../../src/consumer/per-second-budget.ts';

describe("the consumer's rate bounds", () => {
  test('perSecondBudget takes the first N of each second; spacedBy one every interval, spread over it', () => {
    let t = 10_000;
    const now = () => t;
    const budget = perSecondBudget(now, 3);
    const spaced = spacedBy(50, now);
    const byBudget: number[] = [];
    const bySpacing: number[] = [];
    for (; t < 12_000; t += 10) {
      if (budget()) byBudget.push(t);
      if (spaced()) bySpacing.push(t);
    }
    expect(byBudget).toEqual([10_000, 10_010, 10_020, 11_000, 11_010, 11_020]);
    expect(bySpacing).toHaveLength(40); // 2 s at one per 50 ms
    expect(bySpacing.slice(0, 3)).toEqual([10_000, 10_050, 10_100]);
  });
});
