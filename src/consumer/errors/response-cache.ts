import { LRUCache } from 'lru-cache';
import type { CachedBody } from '../cached-body.ts';

/** What the cache may hold in all: distinct query strings evict the least recently used beyond it. */
export const RESPONSE_CACHE_BYTES = 16 * 1024 * 1024;

type Load = () => Promise<CachedBody>;

/**
 * Serialised API responses kept for a short time: under 100 concurrent clients the cost of
 * /api/errors/recent is JSON and bytes, not the (indexed, ~1 ms) query. Cleared whenever this
 * consumer stores new errors; `ttlMs` bounds how stale rows written by anyone else can be, `maxBytes`
 * how much memory any number of distinct queries can take. 0 disables it.
 */
export class ResponseCache {
  private readonly entries: LRUCache<string, CachedBody, Load> | undefined;

  constructor(ttlMs: number, now: () => number, maxBytes = RESPONSE_CACHE_BYTES) {
    this.entries =
      ttlMs <= 0
        ? undefined
        : new LRUCache<string, CachedBody, Load>({
            ttl: ttlMs,
            maxSize: maxBytes,
            perf: { now },
            ttlResolution: 0, // the injected clock, read each time (no 1 ms memo of it)
            // Room for the gzip form too, which is made later and never larger than the raw body by much.
            sizeCalculation: (body, key) => 2 * body.raw.length + key.length,
            fetchMethod: (_key, _stale, { context }) => context(),
            // A clear() while a query runs must not fail the requests waiting on it.
            ignoreFetchAbort: true,
          });
  }

  /** One load per key at a time; concurrent requests for it share the answer. */
  get(key: string, load: Load): Promise<CachedBody> {
    if (this.entries === undefined) return load();
    // Never undefined: fetches are not aborted (ignoreFetchAbort).
    return this.entries.fetch(key, { context: load }) as Promise<CachedBody>;
  }

  clear(): void {
    this.entries?.clear();
  }
}
