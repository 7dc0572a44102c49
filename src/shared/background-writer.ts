import { settleWithin } from './settle-within.ts';
import { isTransientDbError } from './transient-db-error.ts';

/** What a background writer drains, oldest first. */
export interface WriteQueue<T> {
  size(): number;
  /** Up to `n` items from the front, still queued. */
  peek(n: number): T[];
  /** Removes `n` items from the front (written, or refused by the database). */
  shift(n: number): void;
  /** Puts items back at the front (the database went away part-way through). */
  unshift(items: readonly T[]): void;
}

export interface BackgroundWriterOptions {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
}

export interface WriterHooks<T> {
  /** A batch (or one item) was written; `result` is what the write returned. */
  written(items: readonly T[], result: number | void): void;
  /** The database is away: the batch stays queued and is tried again with backoff. */
  transientFailure(error: Error, firstOfOutage: boolean): void;
  /** The database will never take this item (SQLSTATE 22/23/42): it is dropped. */
  refused(item: T, error: Error): void;
}

const halves = <T>(items: readonly T[]): (readonly T[])[] => {
  const middle = Math.ceil(items.length / 2);
  return items.length > 1 ? [items.slice(0, middle), items.slice(middle)] : [items];
};

/**
 * Writes a queue in batches from the background, one batch in flight, in order. A transient failure
 * keeps the batch and retries with exponential backoff; a batch refused as data is retried by halves
 * so that one bad row never blocks the others, and never costs a statement per row.
 */
export class BackgroundWriter<T> {
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryMs = 0;
  private stopped = false;

  constructor(
    private readonly queue: WriteQueue<T>,
    private readonly write: (batch: readonly T[]) => Promise<number | void>,
    private readonly hooks: WriterHooks<T>,
    private readonly options: BackgroundWriterOptions,
  ) {}

  /** Something was queued: write soon (at once when a whole batch is waiting). */
  kick(): void {
    this.schedule(this.queue.size() >= this.options.batchSize ? 0 : this.options.flushIntervalMs);
  }

  /**
   * Resolves when the queue is empty and nothing is in flight, or rejects after `timeoutMs`, even
   * with a write in flight that never ends (a frozen server).
   */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.size() > 0 || this.writing !== undefined) {
      if (Date.now() > deadline)
        throw new Error(`not drained within ${timeoutMs} ms: ${this.queue.size()} still queued`);
      this.schedule(0);
      await settleWithin(
        this.writing ?? new Promise((resolve) => setTimeout(resolve, this.retryMs || 5)),
        deadline - Date.now() + 1,
      );
    }
  }

  /** No more writes are started; resolves when the one in flight is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
  }

  private schedule(delayMs: number): void {
    if (this.writing !== undefined || this.stopped) return; // the running write reschedules when it ends
    if (this.timer !== undefined && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.writing = this.writeNext().finally(() => {
          this.writing = undefined;
          if (this.queue.size() > 0)
            this.schedule(
              this.retryMs ||
                (this.queue.size() >= this.options.batchSize ? 0 : this.options.flushIntervalMs),
            );
        });
      },
      Math.max(delayMs, this.retryMs),
    );
  }

  private async writeNext(): Promise<void> {
    const batch = this.queue.peek(this.options.batchSize);
    if (batch.length === 0) return;
    try {
      const result = await this.write(batch);
      this.queue.shift(batch.length);
      this.retryMs = 0;
      this.hooks.written(batch, result);
    } catch (error) {
      if (isTransientDbError(error)) return this.backOff(error as Error);
      this.queue.shift(batch.length);
      await this.isolateRefused(batch);
    }
  }

  /**
   * A batch was refused as data: written again by halves, in order, down to the rows refused alone, so
   * one bad row costs about 2·log2(batch) statements instead of one statement per row.
   */
  private async isolateRefused(batch: readonly T[]): Promise<void> {
    const parts = halves(batch);
    for (let k = 0; k < parts.length; k += 1) {
      const part = parts[k]!;
      try {
        this.hooks.written(part, await this.write(part));
      } catch (error) {
        if (isTransientDbError(error)) {
          this.queue.unshift(parts.slice(k).flat());
          return this.backOff(error as Error);
        }
        if (part.length === 1) this.hooks.refused(part[0]!, error as Error);
        else parts.splice(k + 1, 0, ...halves(part));
      }
    }
  }

  private backOff(error: Error): void {
    this.hooks.transientFailure(error, this.retryMs === 0);
    this.retryMs = Math.min(this.options.retryMaxMs, Math.max(this.options.retryMinMs, this.retryMs * 2));
  }
}
