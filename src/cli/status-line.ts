import logUpdate from 'log-update';

/**
 * A live status line: rewritten in place on a terminal (log-update), printed every `plainEveryMs`
 * elsewhere (CI logs), so both stay readable.
 */
export function createStatusLine(plainEveryMs = 5000) {
  const tty = process.stdout.isTTY === true;
  let lastPlain = 0;
  return {
    update(text: string): void {
      if (tty) return logUpdate(text);
      const now = Date.now();
      if (now - lastPlain < plainEveryMs) return;
      lastPlain = now;
      console.log(text);
    },
    done(): void {
      if (tty) logUpdate.done();
    },
  };
}
