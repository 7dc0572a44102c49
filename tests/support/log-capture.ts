import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/shared/logger.ts';

/** A logger whose JSON lines are kept for assertions (and echoed on failure by the caller if wanted). */
export function captureLogs(level: 'info' | 'warn' = 'info'): {
  logger: Logger;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger(level, stream), lines };
}
