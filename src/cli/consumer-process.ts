import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';

const READY = /consumer: (http:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

/**
 * The reference consumer in a process of its own (this CLI's `consumer` command), so that a load run
 * measures it from outside, as it would any other consumer.
 */
export interface ConsumerEnv {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Where its spill files go. */
  readonly spillDir: string;
  /** CONSUMER_SHARD: one of a group (docs/scale.md). */
  readonly shard?: string;
}

export interface ConsumerProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
  /** kill -9: no drain, no spill of what it holds in memory. */
  kill(): Promise<void>;
}

/** `port` 0: any free one; a restart passes the first one's, so that clients find it again. */
export async function startConsumerProcess(env: ConsumerEnv, port = 0): Promise<ConsumerProcess> {
  const child = fork(process.argv[1] ?? 'bin/tickstock.js', ['consumer', '--port', String(port)], {
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      ERROR_SPILL_PATH: join(env.spillDir, 'error-spill.jsonl'),
      CHECKPOINT_SPILL_PATH: join(env.spillDir, 'checkpoint-spill.jsonl'),
      ...(env.shard === undefined ? {} : { CONSUMER_SHARD: env.shard }),
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
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      child.disconnect(); // an open IPC channel would keep the drained consumer alive
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * The reference consumer as a run's faults see it: killed or stopped, then started again on the same
 * port and with the same spill file (what a supervisor would do), so that its clients reconnect to it.
 */
export async function restartableConsumer(env: ConsumerEnv) {
  let current = await startConsumerProcess(env);
  const { port } = new URL(current.url);
  const again = async (end: (c: ConsumerProcess) => Promise<void>): Promise<void> => {
    await end(current);
    current = await startConsumerProcess(env, Number(port));
  };
  return {
    url: current.url,
    /** kill -9, then start again. */
    killAndStart: () => again((c) => c.kill()),
    /** A graceful stop, then start again. */
    restart: () => again((c) => c.stop()),
    stop: () => current.stop(),
    /** Its process now (a fault may have started another). */
    pid: (): number => current.pid,
  };
}
