import { isTransientDbError } from '../db/pg-errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { CheckpointRecord, CheckpointSink, SinkStats } from './checkpoint-record.ts';

export interface BatchingSinkOptions {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /** Most rows held while the database is down or slow; past it new rows are dropped and counted. */
  readonly bufferLimit: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
}

export const DEFAULT_BATCHING: BatchingSinkOptions = {
  batchSize: 2000,
  flushIntervalMs: 10,
  bufferLimit: 200_000,
  retryMinMs: 100,
  retryMaxMs: 2000,
};

export type BatchWriter = (rows: readonly CheckpointRecord[]) => Promise<void>;

/**
 * Buffers checkpoints and writes them in batches from the background, one batch in flight, in
 * order. A transient failure keeps the batch and retries with backoff; rows the database refuses
 * as data are found one by one and dropped (counted), so one bad row never blocks the rest.
 */
export class BatchingSink implements CheckpointSink {
  private buffer: CheckpointRecord[] = [];
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryMs = 0;
  private closed = false;
  private written = 0;
  private dropped = 0;
  private refused = 0;
  private failedWrites = 0;
  private lastWarning = 0;

  constructor(
    private readonly write: BatchWriter,
    private readonly logger: Logger,
    private readonly options: BatchingSinkOptions = DEFAULT_BATCHING,
  ) {}

  record(row: CheckpointRecord): void {
    if (this.closed) return;
    if (this.buffer.length >= this.options.bufferLimit) {
      this.dropped += 1;
      this.warn(`checkpoint buffer full (${this.options.bufferLimit} rows): dropping new checkpoints`);
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= this.options.batchSize) this.schedule(0);
    else this.schedule(this.options.flushIntervalMs);
  }

  stats(): SinkStats {
    return {
      buffered: this.buffer.length,
      written: this.written,
      dropped: this.dropped,
      refused: this.refused,
      failedWrites: this.failedWrites,
    };
  }

  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length > 0 || this.writing !== undefined) {
      if (Date.now() > deadline)
        throw new Error(
          `checkpoint sink not drained within ${timeoutMs} ms: ${this.buffer.length} rows still buffered`,
        );
      this.schedule(0);
      await (this.writing ?? new Promise((resolve) => setTimeout(resolve, this.retryMs || 5)));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.drain(5000);
    } catch (error) {
      this.logger.error(
        { lost: this.buffer.length, err: (error as Error).message },
        'closing with unwritten checkpoints',
      );
    }
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.writing !== undefined) return; // the running write reschedules when it ends
    if (this.timer !== undefined && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.writing = this.writeNext().finally(() => {
          this.writing = undefined;
          if (this.buffer.length > 0)
            this.schedule(
              this.retryMs ||
                (this.buffer.length >= this.options.batchSize ? 0 : this.options.flushIntervalMs),
            );
        });
      },
      Math.max(delayMs, this.retryMs),
    );
  }

  private async writeNext(): Promise<void> {
    const batch = this.buffer.slice(0, this.options.batchSize);
    if (batch.length === 0) return;
    try {
      await this.write(batch);
      this.buffer.splice(0, batch.length);
      this.written += batch.length;
      this.retryMs = 0;
    } catch (error) {
      if (isTransientDbError(error)) {
        this.failedWrites += 1;
        this.retryMs = Math.min(this.options.retryMaxMs, Math.max(this.options.retryMinMs, this.retryMs * 2));
        this.warn(
          `checkpoint write failed (${(error as Error).message}); ${this.buffer.length} rows held, retrying`,
        );
        return;
      }
      this.buffer.splice(0, batch.length);
      await this.writeOneByOne(batch);
    }
  }

  private async writeOneByOne(batch: readonly CheckpointRecord[]): Promise<void> {
    for (const [i, row] of batch.entries()) {
      try {
        await this.write([row]);
        this.written += 1;
      } catch (error) {
        if (isTransientDbError(error)) {
          this.buffer.unshift(...batch.slice(i));
          return;
        }
        this.refused += 1;
        this.logger.error(
          { err: (error as Error).message, checkpoint: row.checkpoint, flow_id: row.flowId },
          'checkpoint refused by the database',
        );
      }
    }
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 5000) return;
    this.lastWarning = now;
    this.logger.warn({ ...this.stats() }, message);
  }
}
