import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { inject } from 'vitest';
import { PACKAGE_ROOT } from '../../src/shared/package-root.ts';
import './provided.ts';
import { pollUntil } from './wait-for.ts';

export interface CliRun {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Waits until the output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();

/**
 * Kills what a test file started and left running (a test that failed before stopping its child):
 * an orphan would load the machine for the files after it. Named, because a pass should leave none.
 */
export function endLeftoverChildren(): void {
  for (const child of running) {
    console.warn(`[harness] killing a child left running: pid ${child.pid} ${child.spawnargs.join(' ')}`);
    child.kill('SIGKILL');
  }
  running.clear();
}

/** Collects a child's stdout and stderr as one text, and awaits its exit or a line of it. */
export function watchChild(child: ChildProcess): CliRun {
  running.add(child);
  child.once('exit', () => running.delete(child));
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

/** The test run's directory; none in the contract lane, or outside Vitest (a bench script). */
function testRunDir(): string | undefined {
  try {
    return inject('services')?.runDir;
  } catch {
    return undefined;
  }
}

let calls = 0;
/**
 * Spill files in the run's directory, new names each call: a consumer's default (.tickstock/ in the
 * working directory) would be the checkout, shared by every consumer the suite starts at once.
 */
function spillPaths(): Record<string, string> {
  const runDir = testRunDir();
  if (runDir === undefined) return {}; // the contract lane starts no consumer
  calls += 1;
  const name = (what: string) => join(runDir, `cli-${process.pid}-${calls}-${what}-spill.jsonl`);
  return { ERROR_SPILL_PATH: name('error'), CHECKPOINT_SPILL_PATH: name('checkpoint') };
}

/** The environment a test's CLI runs with: ours, quieter, its own spill files, then `env`. */
export function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, LOG_LEVEL: 'warn', ...spillPaths(), ...env };
}

/** Runs `tickstock ...args` as a user would, with the given environment additions. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  return watchChild(
    spawn(process.execPath, ['bin/tickstock.js', ...args], {
      cwd: PACKAGE_ROOT,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}
