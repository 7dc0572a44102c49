import type { ErrorRow } from '../../db/error-logs.ts';
import { BackgroundWriter, type BackgroundWriterOptions } from '../../shared/background-writer.ts';
import type { Logger } from '../../shared/logger.ts';
import { settleWithin } from '../../shared/settle-within.ts';
import { SpillFile } from '../../shared/spill-file.ts';

export interface ErrorStoreOptions extends BackgroundWriterOptions {
  /** Rows held in memory while the database is away; beyond it they are only in the spill file. */
  readonly memoryLimit: number;
  readonly spillPath: string;
}

export const DEFAULT_ERROR_STORE: Omit<ErrorStoreOptions, 'spillPath'> = {
  batchSize: 500,
  flushIntervalMs: 20,
  memoryLimit: 10_000,
  retryMinMs: 100,
  retryMaxMs: 2000,
};

export interface ErrorStoreStats {
  readonly stored: number;
  readonly duplicates: number;
  readonly inMemory: number;
  readonly spilled: number;
  readonly failedWrites: number;
  readonly refused: number;
}

/** Stored rows at the front of the spill file past which it is rewritten without them. */
const COMPACT_BYTES = 16 << 20;

export type ErrorWriter = (rows: readonly ErrorRow[]) => Promise<number>;

/**
 * error_logs storage for error and critical messages, lossless: each row is appended to the spill
 * file before it counts as taken (a write-ahead journal: a killed consumer loses none), written in
 * batches in arrival order, and the file goes once all of it is stored. While the database is away
 * rows are held in memory up to a bound, past it only in the file, read back when it returns. A spill
 * file left by a previous run is written first; rows it already stored are ignored by error_id.
 */
export class ErrorStore {
  private memory: ErrorRow[] = [];
  private readonly spill: SpillFile<ErrorRow>;
  private readonly writer: BackgroundWriter<ErrorRow>;
  private closed = false;
  private stored = 0;
  private duplicates = 0;
  private failedWrites = 0;
  private refused = 0;

  constructor(
    write: ErrorWriter,
    private readonly logger: Logger,
    private readonly options: ErrorStoreOptions,
    onDatabaseError: (error: Error) => void = () => undefined,
    onStored: () => void = () => undefined,
  ) {
    this.spill = new SpillFile<ErrorRow>(options.spillPath, options.flushIntervalMs);
    this.writer = new BackgroundWriter(
      {
        size: () => this.memory.length + this.spill.pending,
        peek: (n) => {
          this.refill();
          return this.memory.slice(0, n);
        },
        shift: (n) => this.forget(n),
        unshift: (rows) => void this.memory.unshift(...rows),
      },
      write,
      {
        written: (rows, inserted) => {
          const n = typeof inserted === 'number' ? inserted : rows.length;
          this.stored += n;
          this.duplicates += rows.length - n;
          if (n > 0) onStored();
        },
        transientFailure: (error, firstOfOutage) => {
          this.failedWrites += 1;
          if (firstOfOutage) onDatabaseError(error);
          logger.warn(
            { err: error.message, held: this.memory.length, spilled: this.spill.pending },
            'error_logs write failed; holding errors and retrying',
          );
        },
        refused: (row, error) => {
          this.refused += 1;
          logger.error(
            { err: error.message, error_id: row.message.error_id },
            'error refused by the database',
          );
        },
      },
      options,
    );
    if (this.spill.pending > 0) {
      logger.warn(
        { spilled: this.spill.pending, path: options.spillPath },
        'writing errors left in the spill file by a previous run',
      );
      this.writer.kick();
    }
  }

  add(row: ErrorRow): void {
    if (this.closed) return;
    // Once anything is only on disk, newer rows queue behind it there so that order is kept.
    if (this.spill.pending > 0 || this.memory.length >= this.options.memoryLimit) this.spill.append([row]);
    else {
      this.spill.append([row], true);
      this.memory.push(row);
    }
    this.writer.kick();
  }

  stats(): ErrorStoreStats {
    return {
      stored: this.stored,
      duplicates: this.duplicates,
      inMemory: this.memory.length,
      spilled: this.spill.pending,
      failedWrites: this.failedWrites,
      refused: this.refused,
    };
  }

  /** Resolves when everything added so far is stored, or rejects after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    return this.writer.drain(timeoutMs);
  }

  /** Stores what it can within `timeoutMs`; whatever is left stays in the spill file for the next start. */
  async close(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    const deadline = Date.now() + timeoutMs;
    await this.writer.drain(timeoutMs).catch(() => undefined);
    this.closed = true;
    // A write hung on a frozen database must not hold the stop: its rows are still in the file.
    await settleWithin(this.writer.stop(), deadline - Date.now());
    if (this.memory.length > 0 || this.spill.pending > 0) {
      this.spill.rewriteWithFront(this.memory);
      this.memory = [];
      this.logger.error(
        { spilled: this.spill.pending, path: this.options.spillPath },
        'database unavailable at close: errors kept in the spill file for the next start',
      );
    } else this.spill.remove();
    this.spill.close();
  }

  /** `n` rows from the front are stored (or refused): the file goes once nothing else is in it. */
  private forget(n: number): void {
    this.memory.splice(0, n);
    if (this.spill.pending > 0) return;
    if (this.memory.length === 0) this.spill.remove();
    // Under a steady flow memory never empties: the stored front is cut off while little is held.
    else if (this.spill.heldBytes > COMPACT_BYTES && this.memory.length <= this.options.batchSize)
      this.spill.rewriteWithFront(this.memory);
  }

  private refill(): void {
    const room = this.options.memoryLimit - this.memory.length;
    if (room > 0 && this.spill.pending > 0) this.memory.push(...this.spill.take(room));
  }
}
