import { describe, expect, test } from 'vitest';
import { dutyCycled } from '../../src/shared/duty-cycled.ts';
import { FakeClock } from '../support/fake-clock.ts';

/** A read that takes `costMs` of the fake clock's time and answers how often it was asked. */
function costly(clock: FakeClock, costMs: () => number) {
  let reads = 0;
  return {
    read: () => {
      clock.advance(costMs());
      return Promise.resolve((reads += 1));
    },
    count: () => reads,
  };
}

describe('a duty-cycled read', () => {
  test('a read of 36 ms at a 1 % duty is asked again only after 3.6 s; between, its last answer comes back with its time', async () => {
    const clock = new FakeClock();
    const r = costly(clock, () => 36);
    const read = dutyCycled(r.read, { duty: 0.01, maxAgeMs: 60_000, now: () => clock.now() });
    const start = clock.now();
    expect(await read()).toEqual({ value: 1, at: start });
    for (let second = 1; second <= 3; second += 1) {
      clock.advance(1000);
      expect(await read()).toEqual({ value: 1, at: start });
    }
    clock.advance(600 - 36); // 3.6 s after the first read started
    expect(await read()).toEqual({ value: 2, at: start + 3600 });
    expect(r.count()).toBe(2);
  });

  test('a cheap read is asked every time it is wanted, and the pace follows the cost as it changes', async () => {
    const clock = new FakeClock();
    let cost = 2;
    const r = costly(clock, () => cost);
    const read = dutyCycled(r.read, { duty: 0.01, maxAgeMs: 60_000, now: () => clock.now() });
    for (let i = 0; i < 5; i += 1) {
      await read();
      clock.advance(1000);
    }
    expect(r.count()).toBe(5);
    cost = 50; // the load grew: the next read shows it, the one after waits 5 s
    await read();
    clock.advance(1000);
    await read();
    expect(r.count()).toBe(6);
    clock.advance(4000);
    await read();
    expect(r.count()).toBe(7);
  });

  test('a failed read is not remembered: the next call asks again', async () => {
    const clock = new FakeClock();
    let fail = true;
    const read = dutyCycled(
      () => {
        clock.advance(100);
        return fail ? Promise.reject(new Error('PostgreSQL did not answer')) : Promise.resolve('ok');
      },
      { duty: 0.01, maxAgeMs: 60_000, now: () => clock.now() },
    );
    await expect(read()).rejects.toThrow('did not answer');
    fail = false;
    expect((await read()).value).toBe('ok');
  });

  test('however slow the read, its answer is never older than maxAgeMs: a read of 300 ms is asked again after 5 s, not 30', async () => {
    const clock = new FakeClock();
    const r = costly(clock, () => 300);
    const read = dutyCycled(r.read, { duty: 0.01, maxAgeMs: 5000, now: () => clock.now() });
    const start = clock.now();
    await read();
    clock.advance(4000);
    expect((await read()).at).toBe(start);
    clock.advance(700); // 5 s after the first read started
    expect((await read()).at).toBe(start + 5000);
    expect(r.count()).toBe(2);
  });
});
