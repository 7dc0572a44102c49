import { BackgroundWriter, type BackgroundWriterOptions } from '../shared/background-writer.ts';
import { SpillFile } from '../shared/spill-file.ts';
import { systemClock, type TimerClock } from '../shared/clock.ts';
import { settleWithin } from '../shared/settle-within.ts';
import type { Logger } from '../shared/logger.ts';
import type { CheckpointRecord, CheckpointSink, SinkStats } from './checkpoint-record.ts';
import { WarningThrottle } from './warning-throttle.ts';

export interface BatchingSinkOptions extends BackgroundWriterOptions {
  /** Most rows held while the database is down or slow; past it new rows are dropped and counted. */
  readonly bufferLimit: number;
  /** Where rows not written by the time the sink closes are kept; the next sink on it writes them first. */
  readonly spillPath?: string;
}

/** How long close() waits for the buffer to be written unless told. */
const CLOSE_TIMEOUT_MS = 5000;

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
 * as data is counted and reported, never silent. Rows left at close go to the spill file, if it has one.
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
  private readonly spill: SpillFile<CheckpointRecord> | undefined;
  /** Rows at the front of the buffer that came from the spill file: it goes once they are written. */
  private fromSpill = 0;

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
        shift: (n) => this.forget(n),
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
    this.spill = options.spillPath === undefined ? undefined : new SpillFile(options.spillPath);
    if (this.spill !== undefined && this.spill.pending > 0) {
      this.buffer.push(...this.spill.take(this.spill.pending));
      this.fromSpill = this.buffer.length;
      logger.warn(
        { spilled: this.fromSpill, path: options.spillPath },
        'writing checkpoints left in the spill file by a previous run',
      );
      this.writer.kick();
    }
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

  /** Writes what it can within `timeoutMs`; the rest goes to the spill file, or is reported lost. */
  async close(timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    if (this.closed) return;
    const deadline = Date.now() + timeoutMs;
    const drained = await this.writer.drain(timeoutMs).then(
      () => undefined,
      (error: Error) => error,
    );
    this.closed = true;
    // A write hung on a frozen database must not hold the stop: its rows are still in the buffer.
    await settleWithin(this.writer.stop(), deadline - Date.now());
    this.warnings.flush();
    if (this.spill !== undefined) {
      this.spill.rewriteWithFront(this.buffer);
      this.spill.close();
    }
    if (this.buffer.length === 0) return;
    this.logger.error(
      { unwritten: this.buffer.length, err: drained?.message, path: this.options.spillPath },
      this.spill === undefined
        ? 'closing with unwritten checkpoints'
        : 'database unavailable at close: checkpoints kept in the spill file for the next start',
    );
  }

  private forget(n: number): void {
    this.buffer.splice(0, n);
    if (this.fromSpill === 0) return;
    this.fromSpill = Math.max(0, this.fromSpill - n);
    if (this.fromSpill === 0) this.spill?.remove();
  }
}
