import { join } from 'node:path';
import { runCli, type CliRun } from './run-cli.ts';

const READY = /consumer: (http:\/\/127\.0\.0\.1:\d+)/;
let n = 0;

/** `tickstock consumer` on a free port, its spill files under `dir` (new names each call); `env` wins. */
export function consumerCli(
  urls: { readonly databaseUrl: string; readonly redisUrl: string },
  dir: string,
  env: Record<string, string> = {},
): CliRun {
  n += 1;
  return runCli(['consumer'], {
    DATABASE_URL: urls.databaseUrl,
    REDIS_URL: urls.redisUrl,
    CONSUMER_PORT: '0',
    ERROR_SPILL_PATH: join(dir, `errors-${process.pid}-${n}.jsonl`),
    CHECKPOINT_SPILL_PATH: join(dir, `checkpoints-${process.pid}-${n}.jsonl`),
    ...env,
  });
}

/** Waits until the consumer says where it listens: its origin. */
export async function consumerUrl(run: CliRun, timeoutMs?: number): Promise<string> {
  await run.waitFor(READY, timeoutMs);
  return READY.exec(run.output())![1]!;
}
