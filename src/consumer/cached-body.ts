import { gzipSync } from 'node:zlib';

/** A response body, and its gzip form made once on first demand. */
export class CachedBody {
  private compressed: Buffer | undefined;

  /** `note`: what was left out to keep the body under the response cap, if anything. */
  constructor(
    readonly raw: Buffer,
    readonly note?: string,
  ) {}

  get gzip(): Buffer {
    return (this.compressed ??= gzipSync(this.raw, { level: 6 }));
  }
}
