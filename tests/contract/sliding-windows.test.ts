import { describe, expect, test } from 'vitest';
import { CounterWindow } from '../../src/shared/counter-window.ts';
import { LatencyWindow } from '../../src/shared/latency-window.ts';

describe('the demo status line windows', () => {
  test('LatencyWindow: percentiles over the last N seconds only, summed from each second', () => {
    const w = new LatencyWindow(3);
    w.record(100); // second 1: a slow start that must leave the window
    w.advance();
    for (let i = 0; i < 99; i++) w.record(1);
    w.advance();
    w.record(5);
    expect(w.summary()).toMatchObject({ count: 101, max: 100 });
    expect(w.summary().p50).toBeCloseTo(1, 2);
    w.advance(); // the slow second is now 3 seconds ago: gone
    const s = w.summary();
    expect(s.count).toBe(100);
    expect(s.max).toBeCloseTo(5, 2);
  });

  test('CounterWindow: growth over the last N samples, and the seconds they span', () => {
    const w = new CounterWindow<'sent'>(2);
    expect(w.growth('sent')).toEqual({ delta: 0, seconds: 0 });
    w.sample(0, { sent: 0 });
    w.sample(1000, { sent: 50 });
    w.sample(2000, { sent: 70 });
    expect(w.growth('sent')).toEqual({ delta: 70, seconds: 2 });
    w.sample(3000, { sent: 80 }); // the sample at 0 leaves
    expect(w.growth('sent')).toEqual({ delta: 30, seconds: 2 });
  });
});
