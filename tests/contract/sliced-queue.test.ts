import { describe, expect, test } from 'vitest';
import { slicedQueue } from '../../src/consumer/sliced-queue.ts';

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('slicedQueue', () => {
  test('an item is handled at once while the slice lasts; the rest waits for later turns, in order', async () => {
    const handled: number[] = [];
    const queue = slicedQueue((n: number) => {
      handled.push(n);
      busy(30);
    }, 50);
    queue.push(1);
    expect(handled).toEqual([1]); // at once: no turn of the event loop in between
    for (const n of [2, 3, 4, 5]) queue.push(n);
    expect(handled).toEqual([1, 2]); // 60 ms spent: the slice is over
    await nextTurn();
    expect(handled.length).toBeGreaterThan(2);
    while (handled.length < 5) await nextTurn();
    expect(handled).toEqual([1, 2, 3, 4, 5]);
    queue.push(6); // a later turn: a new slice, at once again
    await nextTurn();
    queue.push(7);
    expect(handled).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test('flush handles whatever is left, now', () => {
    const handled: number[] = [];
    const queue = slicedQueue((n: number) => {
      handled.push(n);
      busy(60);
    }, 50);
    for (const n of [1, 2, 3]) queue.push(n);
    expect(handled).toEqual([1]);
    queue.flush();
    expect(handled).toEqual([1, 2, 3]);
  });
});
