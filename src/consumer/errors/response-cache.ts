import { gzipSync } from 'node:zlib';

/** A response body, and its gzip form made once on first demand. */
export class CachedBody {
  private compressed: Buffer | undefined;

  constructor(readonly raw: Buffer) {}

  get gzip(): Buffer {
    return (this.compressed ??= gzipSync(this.raw, { level: 6 }));
  }
}

/**
 * Serialised API responses kept for a short time: under 100 concurrent clients the cost of
 * /api/errors/recent is JSON and bytes, not the (indexed, ~1 ms) query. Cleared whenever this
 * consumer stores new errors; `ttlMs` bounds how stale rows written by anyone else can be.
 * 0 disables it.
 */
export class ResponseCache {
  private readonly entries = new Map<string, { body: Promise<CachedBody>; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(key: string, load: () => Promise<Buffer>): Promise<CachedBody> {
    if (this.ttlMs <= 0) return load().then((raw) => new CachedBody(raw));
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.until > t) return hit.body;
    const body = load().then((raw) => new CachedBody(raw));
    this.entries.set(key, { body, until: t + this.ttlMs });
    body.catch(() => this.entries.delete(key));
    return body;
  }

  clear(): void {
    this.entries.clear();
  }
}
