import {
  closeSync,
  existsSync,
  fstatSync,
  fsync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { HarnessError } from '../errors/harness-error.ts';

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/**
 * A JSON-lines file of rows not yet in the database, in arrival order: the rows before the read
 * offset are also held in memory, the rows after it only here (`pending`), read back from the front.
 * Appends are synchronous, so a row is in the kernel before its caller goes on (a killed process
 * loses nothing), and fsynced in batches (a crashed machine loses at most the last interval).
 */
export class SpillFile<T> {
  private fd: number | undefined;
  private readOffset = 0;
  private pendingCount = 0;
  private syncTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly syncIntervalMs = 20,
  ) {
    this.lock();
    if (!existsSync(path)) return;
    this.open();
    this.dropTornLine();
    this.pendingCount = this.countLines();
  }

  /** Rows only in the file, not yet read back. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Bytes of rows read back or appended as held: what a compaction would drop or keep. */
  get heldBytes(): number {
    return this.readOffset;
  }

  /**
   * Appends rows. `held`: the caller keeps them in memory too, so they count as read; only allowed
   * while nothing is pending, or the read offset would skip the pending rows.
   */
  append(rows: readonly T[], held = false): void {
    if (rows.length === 0) return;
    if (held && this.pendingCount > 0) throw new Error('held rows appended behind pending ones');
    const bytes = Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const fd = this.open();
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
    if (held) this.readOffset += bytes.length;
    else this.pendingCount += rows.length;
    this.syncSoon();
  }

  /** Takes up to `max` pending rows from the front; they stay in the file until `remove` or `rewriteWithFront`. */
  take(max: number): T[] {
    if (this.pendingCount === 0 || max <= 0) return [];
    const fd = this.open();
    const rows: T[] = [];
    const buffer = Buffer.alloc(CHUNK);
    let carry = Buffer.alloc(0);
    let position = this.readOffset;
    while (rows.length < max) {
      const read = readSync(fd, buffer, 0, CHUNK, position);
      if (read === 0) break;
      position += read;
      let text = Buffer.concat([carry, buffer.subarray(0, read)]);
      for (let end = text.indexOf(NEWLINE); end >= 0 && rows.length < max; end = text.indexOf(NEWLINE)) {
        rows.push(JSON.parse(text.toString('utf8', 0, end)) as T);
        this.readOffset += end + 1;
        text = text.subarray(end + 1);
      }
      carry = Buffer.from(text);
    }
    this.pendingCount -= rows.length;
    return rows;
  }

  /** Replaces the file with `rows` (held in memory) followed by the pending rows, atomically. */
  rewriteWithFront(rows: readonly T[]): void {
    const rest = this.take(this.pendingCount);
    if (rows.length + rest.length === 0) return this.remove();
    const temp = `${this.path}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      const lines = (part: readonly T[]) => Buffer.from(part.map((r) => `${JSON.stringify(r)}\n`).join(''));
      const front = lines(rows);
      const back = lines(rest);
      for (const bytes of [front, back]) for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
      fsyncSync(fd);
      this.readOffset = front.length;
      this.pendingCount = rest.length;
    } finally {
      closeSync(fd);
    }
    this.closeFd();
    renameSync(temp, this.path);
  }

  /** Every row in the file is in the database: the file goes. */
  remove(): void {
    this.closeFd();
    rmSync(this.path, { force: true });
    this.readOffset = 0;
    this.pendingCount = 0;
  }

  /** Syncs and closes the file, which stays for the next start. */
  close(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
    this.closeFd();
    rmSync(this.lockPath, { force: true });
  }

  private get lockPath(): string {
    return `${this.path}.lock`;
  }

  /**
   * One process per file: a second one would remove rows the first has not stored. A lock left by a
   * process that no longer runs (killed) is taken over.
   */
  private lock(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    for (;;) {
      try {
        return writeFileSync(this.lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number(readFileSync(this.lockPath, 'utf8'));
      if (holder > 0 && holder !== process.pid && isRunning(holder))
        throw new HarnessError(
          'SPILL_FILE_IN_USE',
          `${this.path} is in use by process ${holder}.`,
          'Give each consumer its own spill files (ERROR_SPILL_PATH, CHECKPOINT_SPILL_PATH), or stop the other one.',
        );
      rmSync(this.lockPath, { force: true });
    }
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a+', 0o600);
    return this.fd;
  }

  private closeFd(): void {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private syncSoon(): void {
    if (this.syncTimer !== undefined) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      if (this.fd !== undefined) fsync(this.fd, () => undefined); // a failure shows in the next write
    }, this.syncIntervalMs);
    this.syncTimer.unref();
  }

  /** A machine that crashed mid-append can leave half a line: it was never counted as taken. */
  private dropTornLine(): void {
    const fd = this.open();
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] === NEWLINE) return;
    let end = size - 1;
    const byte = Buffer.alloc(1);
    while (end > 0) {
      readSync(fd, byte, 0, 1, end - 1);
      if (byte[0] === NEWLINE) break;
      end -= 1;
    }
    ftruncateSync(fd, end);
  }

  private countLines(): number {
    const fd = this.open();
    const buffer = Buffer.alloc(CHUNK);
    let count = 0;
    for (let offset = 0; ;) {
      const read = readSync(fd, buffer, 0, CHUNK, offset);
      if (read === 0) break;
      for (let i = 0; i < read; i += 1) if (buffer[i] === NEWLINE) count += 1;
      offset += read;
    }
    return count;
  }
}
