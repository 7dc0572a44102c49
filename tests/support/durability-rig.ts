import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { consumerCli, consumerUrl } from './consumer-cli.ts';
import { useIsolatedServices } from './isolated-services.ts';
import { ownServices, type Controllable } from './own-services.ts';
import type { CliRun } from './run-cli.ts';
import { runTempDir } from './temp-dir.ts';
import { withDeadline } from './wait-for.ts';

export interface DurabilityRig {
  /** This file's own PostgreSQL, to stop or freeze without touching other files' databases. */
  readonly postgres: Controllable;
  /** A pool on it that survives its outages. */
  readonly db: pg.Pool;
  readonly redis: Redis;
  readonly redisUrl: string;
  /** `tickstock consumer` on that PostgreSQL; the consumers of one test share its spill files. */
  startConsumer(env: Record<string, string>): Promise<{ run: CliRun; url: string }>;
  /** Stopped by SIGINT with everything written: exit 0. */
  closesCleanly(run: CliRun): Promise<void>;
}

/**
 * Consumers against a PostgreSQL of the file's own, taken away under them. Every consumer a test
 * started is gone before the next test (a leftover one would take its messages).
 */
export function useDurabilityRig(prefix: string): DurabilityRig {
  const services = useIsolatedServices();
  const own = ownServices();
  let postgres: Controllable;
  let db: pg.Pool;
  let redis: Redis;
  let dir: string;
  const started: CliRun[] = [];
  let tests = 0;
  beforeAll(async () => {
    postgres = await own.postgres();
    db = new pg.Pool({ connectionString: postgres.url, max: 2 });
    db.on('error', () => undefined); // the tests stop the server under it
    redis = new Redis(services.redisUrl);
    dir = await runTempDir(prefix);
  });
  afterEach(async () => {
    tests += 1;
    for (const run of started.splice(0)) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
  });
  afterAll(async () => {
    redis.disconnect();
    await db.end();
  });
  return {
    get postgres() {
      return postgres;
    },
    get db() {
      return db;
    },
    get redis() {
      return redis;
    },
    get redisUrl() {
      return services.redisUrl;
    },
    async startConsumer(env) {
      const run = consumerCli({ databaseUrl: postgres.url, redisUrl: services.redisUrl }, dir, {
        ERROR_SPILL_PATH: join(dir, `errors-${tests}.jsonl`),
        CHECKPOINT_SPILL_PATH: join(dir, `checkpoints-${tests}.jsonl`),
        ...env,
      });
      started.push(run);
      return { run, url: await consumerUrl(run) };
    },
    async closesCleanly(run) {
      run.child.kill('SIGINT');
      expect(await withDeadline(run.exited, 20_000, 'the consumer to close'), run.output()).toBe(0);
    },
  };
}
