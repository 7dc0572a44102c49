import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { PACKAGE_ROOT } from '../../src/shared/package-root.ts';
import { pollUntil } from './wait-for.ts';

export interface CliRun {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Waits until the output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Collects a child's stdout and stderr as one text, and awaits its exit or a line of it. */
export function watchChild(child: ChildProcess): CliRun {
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  // 'close', not 'exit': only then has all of its output arrived. A process ended by a signal has no
  // exit code: the signal goes into the output a failure prints.
  const exited = once(child, 'close').then(([code, signal]) => {
    if (signal !== null) out += `\n[ended by ${String(signal)}]`;
    return code as number | null;
  });
  return {
    child,
    output: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 20_000) =>
      pollUntil(() => pattern.test(out), {
        timeoutMs,
        what: `output matching ${String(pattern)}`,
        seen: () => out.slice(-2000),
      }),
  };
}

/** Runs `tickstock ...args` as a user would, with the given environment additions. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  return watchChild(
    spawn(process.execPath, ['bin/tickstock.js', ...args], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}
