import logUpdate from 'log-update';
import type { DestinationStream } from 'pino';

/**
 * A live status line: rewritten in place on a terminal (log-update), printed every `plainEveryMs`
 * elsewhere (CI logs), so both stay readable. Log lines and messages go through `print` and
 * `logStream`, which write above the line and redraw it, so nothing interleaves with it.
 */
export function createStatusLine(plainEveryMs = 5000, now: () => number = Date.now) {
  // A terminal without a size (a bare pseudo-terminal) would get lines wrapped to nothing.
  const tty = process.stdout.isTTY === true && process.stdout.columns > 0;
  let lastPlain = -Infinity;
  let current = '';
  const above = (write: () => void): void => {
    if (tty && current !== '') logUpdate.clear();
    write();
    if (tty && current !== '') logUpdate(current);
  };
  return {
    update(text: string): void {
      current = text;
      if (tty) return logUpdate(text);
      if (now() - lastPlain < plainEveryMs) return;
      lastPlain = now();
      console.log(text);
    },
    /** A message for the person watching, printed above the live line. */
    print(text: string): void {
      above(() => console.log(text));
    },
    /** Where a command's JSON log lines go (stderr), without breaking the live line. */
    logStream(): DestinationStream {
      return { write: (line: string) => above(() => process.stderr.write(line)) };
    },
    done(): void {
      if (tty && current !== '') logUpdate.done();
      current = '';
    },
  };
}

export type StatusLine = ReturnType<typeof createStatusLine>;
