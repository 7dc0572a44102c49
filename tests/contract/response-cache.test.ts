import { describe, expect, test } from 'vitest';
import { CachedBody } from '../../src/consumer/cached-body.ts';
import { ResponseCache } from '../../src/consumer/errors/response-cache.ts';

// Issue 12: every distinct query string stayed cached until the consumer next stored an error
// (2,000 distinct queries: RSS 146 → 712 MB).
describe('the API response cache', () => {
  const body = (bytes: number) => () => Promise.resolve(new CachedBody(Buffer.alloc(bytes)));

  test('distinct queries beyond its byte bound evict the least recently used', async () => {
    const cache = new ResponseCache(60_000, () => 0, 1024 * 1024);
    let loads = 0;
    const counted = (bytes: number) => () => ((loads += 1), body(bytes)());
    for (let i = 0; i < 2000; i++) await cache.get(`/api/errors/recent?q=${i}`, counted(10_000));
    await cache.get('/api/errors/recent?q=0', counted(10_000));
    expect(loads).toBe(2001);
    await cache.get('/api/errors/recent?q=1999', counted(10_000));
    expect(loads).toBe(2001);
  });

  test('one load for concurrent requests of one key, shared until its time is up', async () => {
    let now = 1000; // lru-cache reads a start time of 0 as none
    const cache = new ResponseCache(250, () => now);
    let loads = 0;
    const load = () => ((loads += 1), body(100)());
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
    now = 2000;
    await cache.get('k', load);
    expect(loads).toBe(2);
  });

  test('a failed load is not kept, and clear() while a load runs still answers its callers', async () => {
    const cache = new ResponseCache(60_000, () => 0);
    await expect(cache.get('k', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    const pending = cache.get('k', body(10));
    cache.clear();
    expect((await pending).raw.length).toBe(10);
  });
});
