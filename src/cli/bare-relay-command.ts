import { fork } from 'node:child_process';
import { once } from 'node:events';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { startBareRelay } from '../run/bare-relay.ts';

const START_TIMEOUT_MS = 30_000;
const FLOOR_REDIS_URL = 'TICKSTOCK_FLOOR_REDIS_URL';

/** The floor's relay in a process of its own, as the consumer under test is: its URL, and stop. */
export async function spawnBareRelay(
  redisUrl: string,
): Promise<{ readonly url: string; stop(): Promise<void> }> {
  // The URL may hold a password: in the environment, never in argv (ps shows argv to everyone).
  const child = fork(process.argv[1] ?? 'bin/tickstock.js', ['__bare-relay'], {
    env: { ...process.env, [FLOOR_REDIS_URL]: redisUrl },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  try {
    const [message] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => {
        throw new HarnessError(
          'RUN_FLOOR_START',
          `the floor's bare relay exited (${String(code)}) before it was ready`,
          'See its output above; run without --floor to skip the floor.',
          { exitCode: ExitCode.problems },
        );
      }),
    ])) as [{ url: string }];
    return {
      url: message.url,
      stop: async () => {
        if (child.exitCode !== null) return;
        const exited = once(child, 'exit');
        child.disconnect();
        await exited;
      },
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The relay's side: ready over IPC, ends when its parent disconnects. */
export async function bareRelayCommand(): Promise<void> {
  process.on('SIGINT', () => undefined); // the parent decides when the floor stops
  const relay = await startBareRelay(process.env[FLOOR_REDIS_URL] ?? '');
  process.on('disconnect', () => void relay.close().then(() => process.exit(0)));
  process.send?.({ url: relay.url });
}
