import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { ErrorMessage, Severity } from '../../contract/schemas/error-message.ts';

export interface FileLogOptions {
  readonly enabled: boolean;
  readonly path: string;
  /** Bytes before the file rotates (LOG_FILE_MAX_SIZE). */
  readonly maxSize: number;
  /** Rotated files kept: path.1 … path.N (LOG_FILE_BACKUP_COUNT). */
  readonly backupCount: number;
}

const LEVEL: Record<Severity, string> = {
  debug: 'DEBUG',
  info: 'INFO',
  warning: 'WARNING',
  error: 'ERROR',
  critical: 'CRITICAL',
};
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Python logging's %(asctime)s: local time, `2024-01-01 12:00:00,123`. */
function asctime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}

/** Spec 004 §4: `%(asctime)s - %(name)s - %(levelname)s - %(message)s` with `_format_error_message`. */
export function formatErrorLine(error: ErrorMessage, at: Date): string {
  const message = `[${error.category}] ${error.error_type}: ${error.error_message} (Symbol: ${error.context?.symbol ?? 'N/A'})`;
  // One record, one line: a message's own newlines would forge extra records.
  return `${asctime(at)} - tickstock.error_monitor - ${LEVEL[error.severity]} - ${message.replace(/[\r\n]+/g, ' ')}\n`;
}

/**
 * The error log file of spec 004 §4 with size-based rotation like Python's RotatingFileHandler,
 * through rotating-file-stream (classic `path.1 … path.N` naming, N = backup count).
 */
export class ErrorFileLog {
  private readonly stream: RotatingFileStream | undefined;

  constructor(options: FileLogOptions) {
    if (!options.enabled) return;
    mkdirSync(dirname(options.path), { recursive: true });
    this.stream = createStream(options.path, {
      size: `${options.maxSize}B`,
      rotate: options.backupCount,
      mode: 0o640,
    });
  }

  write(error: ErrorMessage, at: Date): void {
    this.stream?.write(formatErrorLine(error, at));
  }

  close(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      stream.once('finish', () => resolve());
      stream.end();
    });
  }
}
