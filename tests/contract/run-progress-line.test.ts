import { describe, expect, test } from 'vitest';
import { formatRunProgress } from '../../src/cli/run-progress-line.ts';
import type { RunProgress } from '../../src/run/run-load.ts';

const progress = (over: Partial<RunProgress> = {}): RunProgress => ({
  phase: 'load',
  elapsedMs: 12_400,
  sent: 1200,
  receivedMin: 1185,
  sendRate: 99.6,
  publishToClient: { count: 3000, p50: 4.5, p99: 18.25 },
  missing: 15,
  ...over,
});

describe('the live progress line of tickstock run', () => {
  test('shows sent, the send rate, the fewest received, p50/p99 so far and what is missing', () => {
    expect(formatRunProgress(progress())).toBe(
      '12 s · sent 1200 · 100/s · received (fewest) 1185 · p50 4.50 ms · p99 18.3 ms · missing 15',
    );
  });

  test('before any flow is received it shows no latency rather than zero', () => {
    expect(formatRunProgress(progress({ publishToClient: { count: 0, p50: 0, p99: 0 } }))).toContain(
      'p50 – · p99 –',
    );
  });

  test('the warm-up shows only its pace: its flows are never judged', () => {
    expect(formatRunProgress(progress({ phase: 'warm-up', elapsedMs: 2000, sent: 200 }))).toBe(
      'warming up · 2 s · sent 200 · 100/s',
    );
  });
});
