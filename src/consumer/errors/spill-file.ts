import {
  appendFileSync,
  closeSync,
  existsSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { dirname } from 'node:path';

const CHUNK = 1 << 20;

/**
 * An append-only JSON-lines file read back from the front, in order. Appends are synchronous so
 * that order on disk is arrival order; it is only used while the database is away.
 */
export class SpillFile<T> {
  private readOffset = 0;
  private pendingCount: number;

  constructor(private readonly path: string) {
    this.pendingCount = existsSync(path) ? this.countLines() : 0;
  }

  /** Rows waiting in the file. */
  get pending(): number {
    return this.pendingCount;
  }

  append(rows: readonly T[]): void {
    if (rows.length === 0) return;
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, rows.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
    this.pendingCount += rows.length;
  }

  /** Takes up to `max` rows from the front; removes the file once it is read to the end. */
  take(max: number): T[] {
    if (this.pendingCount === 0 || max <= 0) return [];
    const fd = openSync(this.path, 'r');
    const rows: T[] = [];
    try {
      let carry = '';
      while (rows.length < max) {
        const buffer = Buffer.alloc(CHUNK);
        const read = readSync(fd, buffer, 0, CHUNK, this.readOffset + Buffer.byteLength(carry));
        if (read === 0) break;
        const text = carry + buffer.toString('utf8', 0, read);
        const lines = text.split('\n');
        carry = lines.pop() ?? '';
        for (const line of lines) {
          if (rows.length >= max) {
            carry = '';
            break;
          }
          this.readOffset += Buffer.byteLength(line) + 1;
          if (line !== '') rows.push(JSON.parse(line) as T);
        }
        if (rows.length >= max) break;
      }
    } finally {
      closeSync(fd);
    }
    this.pendingCount -= rows.length;
    if (this.pendingCount <= 0) this.clear();
    return rows;
  }

  /** Replaces the file with `rows` followed by what is still unread (at close, to keep the order). */
  rewriteWithFront(rows: readonly T[]): void {
    const rest = this.take(this.pendingCount);
    const all = [...rows, ...rest];
    if (all.length === 0) return this.clear();
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.path, all.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
    this.readOffset = 0;
    this.pendingCount = all.length;
  }

  private clear(): void {
    rmSync(this.path, { force: true });
    this.readOffset = 0;
    this.pendingCount = 0;
  }

  private countLines(): number {
    if (statSync(this.path).size === 0) return 0;
    const fd = openSync(this.path, 'r');
    let count = 0;
    try {
      const buffer = Buffer.alloc(CHUNK);
      for (let offset = 0; ;) {
        const read = readSync(fd, buffer, 0, CHUNK, offset);
        if (read === 0) break;
        for (let i = 0; i < read; i += 1) if (buffer[i] === 0x0a) count += 1;
        offset += read;
      }
    } finally {
      closeSync(fd);
    }
    return count;
  }
}
