import { fork } from 'node:child_process';
import { once } from 'node:events';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';

const READY = /consumer: (http:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

/**
 * The reference consumer in a process of its own (this CLI's `consumer` command), so that a load run
 * measures it from outside, as it would any other consumer.
 */
export async function startConsumerProcess(env: {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly spillPath: string;
}): Promise<{ readonly url: string; stop(): Promise<void> }> {
  const child = fork(process.argv[1] ?? 'bin/tickstock.js', ['consumer', '--port', '0'], {
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      ERROR_SPILL_PATH: env.spillPath,
      // A run's mix sends malformed messages on purpose: one warning line per rejection would bury the
      // run's own output. Errors still show.
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    // Its own process group: the terminal's Ctrl+C stops the run, and the run stops the consumer after
    // its grace period, never before (it would stop listening while the last events are on their way).
    // Should the run die, the consumer sees its IPC channel close and stops by itself.
    detached: true,
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`did not report ready within ${START_TIMEOUT_MS / 1000} s`),
      START_TIMEOUT_MS,
    );
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new HarnessError(
          'RUN_CONSUMER_START',
          `the reference consumer ${why}: ${out.trim()}`,
          'See its output above.',
          {
            exitCode: ExitCode.problems,
          },
        ),
      );
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = READY.exec(out);
      if (ready === null) return;
      clearTimeout(timer);
      resolve(ready[1]!);
    });
    child.once('exit', (code) => fail(`exited (${String(code)}) before it was ready`));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      child.disconnect(); // an open IPC channel would keep the drained consumer alive
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
