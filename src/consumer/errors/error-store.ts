import { isTransientDbError } from '../../db/pg-errors.ts';
import type { ErrorRow } from '../../db/error-logs.ts';
import type { Logger } from '../../shared/logger.ts';
import { SpillFile } from './spill-file.ts';

export interface ErrorStoreOptions {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /** Rows held in memory while the database is away; beyond it they go to the spill file. */
  readonly memoryLimit: number;
  readonly spillPath: string;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
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

export type ErrorWriter = (rows: readonly ErrorRow[]) => Promise<number>;

/**
 * error_logs storage for error and critical messages, lossless: batched writes in arrival order; while
 * the database is away rows are held in memory up to a bound, then appended to a spill file, and all
 * of it is written when it returns. A spill file left by a previous run is written first.
 */
export class ErrorStore {
  private memory: ErrorRow[] = [];
  private readonly spill: SpillFile<ErrorRow>;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private retryMs = 0;
  private closed = false;
  private stored = 0;
  private duplicates = 0;
  private failedWrites = 0;
  private refused = 0;

  constructor(
    private readonly write: ErrorWriter,
    private readonly logger: Logger,
    private readonly options: ErrorStoreOptions,
    private readonly onDatabaseError: (error: Error) => void = () => undefined,
    private readonly onStored: () => void = () => undefined,
  ) {
    this.spill = new SpillFile<ErrorRow>(options.spillPath);
    if (this.spill.pending > 0) {
      logger.warn(
        { spilled: this.spill.pending, path: options.spillPath },
        'writing errors left in the spill file by a previous run',
      );
      this.refill();
      this.schedule(0);
    }
  }

  add(row: ErrorRow): void {
    if (this.closed) return;
    // Once anything is spilled, newer rows queue behind it on disk so that order is kept.
    if (this.spill.pending > 0 || this.memory.length >= this.options.memoryLimit) this.spill.append([row]);
    else this.memory.push(row);
    this.schedule(this.memory.length >= this.options.batchSize ? 0 : this.options.flushIntervalMs);
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
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.memory.length > 0 || this.spill.pending > 0 || this.writing !== undefined) {
      if (Date.now() > deadline)
        throw new Error(
          `error store not drained within ${timeoutMs} ms: ${this.memory.length} in memory, ${this.spill.pending} spilled`,
        );
      this.schedule(0);
      await (this.writing ?? new Promise((resolve) => setTimeout(resolve, this.retryMs || 5)));
    }
  }

  /** Stores what it can within a few seconds; whatever is left goes to the spill file for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain(3000).catch(() => undefined);
    this.closed = true;
    clearTimeout(this.timer);
    await this.writing;
    if (this.memory.length > 0 || this.spill.pending > 0) {
      this.spill.rewriteWithFront(this.memory);
      this.logger.error(
        { spilled: this.spill.pending, path: this.options.spillPath },
        'database unavailable at close: errors kept in the spill file for the next start',
      );
      this.memory = [];
    }
  }

  private refill(): void {
    const room = this.options.memoryLimit - this.memory.length;
    if (room > 0 && this.spill.pending > 0) this.memory.push(...this.spill.take(room));
  }

  private schedule(delayMs: number): void {
    if (this.writing !== undefined || this.closed) return;
    if (this.timer !== undefined && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.writing = this.writeNext().finally(() => {
          this.writing = undefined;
          if (this.memory.length > 0 || this.spill.pending > 0) this.schedule(this.retryMs || 0);
        });
      },
      Math.max(delayMs, this.retryMs),
    );
  }

  private async writeNext(): Promise<void> {
    this.refill();
    const batch = this.memory.slice(0, this.options.batchSize);
    if (batch.length === 0) return;
    try {
      const inserted = await this.write(batch);
      this.memory.splice(0, batch.length);
      this.stored += inserted;
      this.duplicates += batch.length - inserted;
      this.retryMs = 0;
      if (inserted > 0) this.onStored();
    } catch (error) {
      if (!isTransientDbError(error)) {
        this.memory.splice(0, batch.length);
        await this.writeOneByOne(batch);
        return;
      }
      this.failedWrites += 1;
      if (this.retryMs === 0) this.onDatabaseError(error as Error);
      this.retryMs = Math.min(this.options.retryMaxMs, Math.max(this.options.retryMinMs, this.retryMs * 2));
      this.logger.warn(
        { err: (error as Error).message, held: this.memory.length, spilled: this.spill.pending },
        'error_logs write failed; holding errors and retrying',
      );
    }
  }

  private async writeOneByOne(batch: readonly ErrorRow[]): Promise<void> {
    for (const [i, row] of batch.entries()) {
      try {
        const inserted = await this.write([row]);
        this.stored += inserted;
        this.duplicates += 1 - inserted;
      } catch (error) {
        if (isTransientDbError(error)) {
          this.memory.unshift(...batch.slice(i));
          return;
        }
        this.refused += 1;
        this.logger.error(
          { err: (error as Error).message, error_id: row.message.error_id },
          'error refused by the database',
        );
      }
    }
  }
}
