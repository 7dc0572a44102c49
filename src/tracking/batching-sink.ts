import { BackgroundWriter, type BackgroundWriterOptions } from '../shared/background-writer.ts';
import { systemClock, type TimerClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { CheckpointRecord, CheckpointSink, SinkStats } from './checkpoint-record.ts';
import { WarningThrottle } from './warning-throttle.ts';

export interface BatchingSinkOptions extends BackgroundWriterOptions {
  /** Most rows held while the database is down or slow; past it new rows are dropped and counted. */
  readonly bufferLimit: number;
}

export const DEFAULT_BATCHING: BatchingSinkOptions = {
  batchSize: 2000,
  flushIntervalMs: 10,
  bufferLimit: 200_000,
  retryMinMs: 100,
  retryMaxMs: 2000,
};

export type BatchWriter = (rows: readonly CheckpointRecord[]) => Promise<void>;

/** At most one warning of each kind per interval; the rest are counted into the next. */
export const WARNING_INTERVAL_MS = 5000;

/**
 * Buffers checkpoints and writes them in batches from the background (BackgroundWriter): in order,
 * retried while the database is away, bounded in memory; what is dropped past the bound or refused
 * as data is counted and reported, never silent.
 */
export class BatchingSink implements CheckpointSink {
  private readonly buffer: CheckpointRecord[] = [];
  private readonly writer: BackgroundWriter<CheckpointRecord>;
  private closed = false;
  private written = 0;
  private dropped = 0;
  private refused = 0;
  private failedWrites = 0;
  private readonly warnings: WarningThrottle<'write-failed' | 'dropped'>;

  constructor(
    write: BatchWriter,
    private readonly logger: Logger,
    private readonly options: BatchingSinkOptions = DEFAULT_BATCHING,
    clock: TimerClock = systemClock,
  ) {
    const buffer = this.buffer;
    this.warnings = new WarningThrottle(clock, WARNING_INTERVAL_MS, (message) =>
      logger.warn({ ...this.stats() }, message),
    );
    this.writer = new BackgroundWriter(
      {
        size: () => buffer.length,
        peek: (n) => buffer.slice(0, n),
        shift: (n) => void buffer.splice(0, n),
        unshift: (rows) => void buffer.unshift(...rows),
      },
      write,
      {
        written: (rows) => void (this.written += rows.length),
        transientFailure: (error) => {
          this.failedWrites += 1;
          this.warnings.warn(
            'write-failed',
            `checkpoint write failed (${error.message}); ${buffer.length} rows held, retrying`,
          );
        },
        refused: (row, error) => {
          this.refused += 1;
          logger.error(
            { err: error.message, checkpoint: row.checkpoint, flow_id: row.flowId },
            'checkpoint refused by the database',
          );
        },
      },
      options,
    );
  }

  record(row: CheckpointRecord): void {
    if (this.closed) return;
    if (this.buffer.length >= this.options.bufferLimit) {
      this.dropped += 1;
      this.warnings.warn(
        'dropped',
        `checkpoint buffer full (${this.options.bufferLimit} rows): dropping new checkpoints`,
      );
      return;
    }
    this.buffer.push(row);
    this.writer.kick();
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

  drain(timeoutMs: number): Promise<void> {
    return this.writer.drain(timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.writer.drain(5000);
    } catch (error) {
      this.logger.error(
        { lost: this.buffer.length, err: (error as Error).message },
        'closing with unwritten checkpoints',
      );
    }
    this.closed = true;
    await this.writer.stop();
    this.warnings.flush();
  }
}
