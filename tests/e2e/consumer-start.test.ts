import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { freePort } from '../../src/services/free-port.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { consumerCli } from '../support/consumer-cli.ts';
import { ownServices, type Controllable } from '../support/own-services.ts';
import type { CliRun } from '../support/run-cli.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
const own = ownServices();
const seed = inject('seed');
let spillDir: string;
beforeAll(async () => {
  spillDir = await runTempDir('consumer-start-');
});

/** `tickstock consumer` on a free port, its spill file in this run's directory. */
function consumer(env: Record<string, string>): CliRun {
  return consumerCli(services, spillDir, env);
}

const withPassword = (url: string, password: string): string => {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
};

describe('tickstock consumer checks its services at start (exit 3)', () => {
  test('PostgreSQL refusing the credentials: a coded error naming the redacted URL, exit 3 at once', async () => {
    const run = consumer({ DATABASE_URL: withPassword(services.databaseUrl, 'not-the-password') });
    expect(await withDeadline(run.exited, 15_000, 'the consumer to give up'), run.output()).toBe(3);
    expect(run.output()).toMatch(/\[SERVICES_REFUSED\] PostgreSQL at postgres:\/\/\w+:\*\*\*@/);
    expect(run.output()).toMatch(/→ Check the user, password and database name in DATABASE_URL/);
    expect(run.output()).not.toMatch(/not-the-password/);
  });

  test('Redis unreachable: a coded error, exit 3 once the start-up retry is over', async () => {
    const closedPort = await freePort();
    const run = consumer({ REDIS_URL: `redis://127.0.0.1:${closedPort}`, CONSUMER_START_RETRY_MS: '500' });
    expect(await withDeadline(run.exited, 15_000, 'the consumer to give up'), run.output()).toBe(3);
    expect(run.output()).toMatch(
      new RegExp(
        `\\[SERVICES_UNREACHABLE\\] Redis at redis://127\\.0\\.0\\.1:${closedPort}/? cannot be reached`,
      ),
    );
    expect(run.output()).toMatch(/→ Start the server or fix the host and port in REDIS_URL or --redis-url/);
  });

  test('Redis refusing the password: a coded error, exit 3', async () => {
    const run = consumer({ REDIS_URL: withPassword(services.redisUrl, 'not-the-password') });
    expect(await withDeadline(run.exited, 15_000, 'the consumer to give up'), run.output()).toBe(3);
    expect(run.output()).toMatch(/\[SERVICES_REFUSED\] Redis at redis:\/\/.*\*\*\*@/);
  });
});

/**
 * A Redis in front of the real one that turns connections away as a full Redis does
 * (`-ERR max number of clients reached`), except those `admit` lets through to the real server.
 */
async function gatekeeper(admit: (nth: number) => boolean): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(services.redisUrl);
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (!admit((count += 1))) return void client.end('-ERR max number of clients reached\r\n');
    const real = connect(Number(upstream.port), upstream.hostname);
    real.on('error', () => client.destroy());
    client.on('close', () => real.destroy());
    client.pipe(real).pipe(client);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const url = new URL(upstream);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('tickstock consumer retries Redis for CONSUMER_START_RETRY_MS at start', () => {
  test('Redis answering the check, then turning the subscriber away: a coded error within the bound, exit 3, no stack', async () => {
    const redis = await gatekeeper((nth) => nth === 1);
    try {
      const started = Date.now();
      const run = consumer({ REDIS_URL: redis.url, CONSUMER_START_RETRY_MS: '1500' });
      expect(await withDeadline(run.exited, 15_000, 'the consumer to give up'), run.output()).toBe(3);
      expect(Date.now() - started).toBeLessThan(1500 + 5000);
      expect(run.output()).toMatch(
        /\[SERVICES_UNREACHABLE\] Redis at redis:\/\/\S*127\.0\.0\.1:\d+\/? took no subscription within [\d.]+ s: .*max number of clients/,
      );
      expect(run.output()).not.toMatch(/\n\s+at /);
    } finally {
      await redis.close();
    }
  });

  test('Redis turning the first connections away (still starting): the consumer starts once it answers', async () => {
    const redis = await gatekeeper((nth) => nth > 3);
    try {
      const run = consumer({ REDIS_URL: redis.url, CONSUMER_START_RETRY_MS: '10000' });
      await run.waitFor(/consumer: http:\/\/127\.0\.0\.1:\d+/);
      run.child.kill('SIGINT');
      expect(await withDeadline(run.exited, 20_000, 'the consumer to close'), run.output()).toBe(0);
    } finally {
      await redis.close();
    }
  });
});

describe('tickstock consumer on a port already in use (exit 2)', () => {
  let taken: Server;
  beforeAll(async () => {
    taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  test('fails at once with a coded error and leaves nothing running', async () => {
    const port = (taken.address() as { port: number }).port;
    const run = consumer({ CONSUMER_PORT: String(port) });
    expect(await withDeadline(run.exited, 15_000, 'the consumer to exit'), run.output()).toBe(2);
    expect(run.output()).toMatch(
      new RegExp(
        `\\[CONSUMER_PORT_IN_USE\\] Port ${port} on 127\\.0\\.0\\.1 is in use[\\s\\S]*→ Set CONSUMER_PORT`,
      ),
    );
  });
});

describe('tickstock consumer on a spill file another one uses (exit 2)', () => {
  test('the second one refuses to start, naming the file and the process', async () => {
    const shared = { ERROR_SPILL_PATH: join(spillDir, 'shared-errors.jsonl') };
    const first = consumer(shared);
    try {
      await first.waitFor(/consumer: http:\/\/127\.0\.0\.1:\d+/);
      const second = consumer(shared);
      expect(await withDeadline(second.exited, 15_000, 'the second consumer to exit'), second.output()).toBe(
        2,
      );
      expect(second.output()).toMatch(
        new RegExp(
          `\\[SPILL_FILE_IN_USE\\] \\S+shared-errors\\.jsonl is in use by process ${first.child.pid}`,
        ),
      );
    } finally {
      first.child.kill('SIGINT');
      await first.exited;
    }
  });
});

describe('tickstock consumer at close', () => {
  test('everything written: exit 0', async () => {
    const run = consumer({});
    await run.waitFor(/consumer: http:\/\/127\.0\.0\.1:\d+/);
    run.child.kill('SIGINT');
    expect(await withDeadline(run.exited, 20_000, 'the consumer to close'), run.output()).toBe(0);
    expect(run.output()).toMatch(/SIGINT: draining and closing/);
  });

  test('PostgreSQL gone before its rows were written: exit 1, saying how many', async () => {
    const postgres: Controllable = await own.postgres();
    const run = consumer({
      DATABASE_URL: postgres.url,
      CHECKPOINT_FLUSH_MS: '1',
      CONSUMER_STOP_TIMEOUT_MS: '1000',
    });
    const redis = new Redis(services.redisUrl);
    try {
      await run.waitFor(/consumer: http:\/\/127\.0\.0\.1:\d+/);
      await postgres.control.stop();
      await publishOnce({ redis, db: undefined, clock: systemClock, random: seededRandom(seed) });
      run.child.kill('SIGINT');
      expect(await withDeadline(run.exited, 40_000, 'the consumer to close'), run.output()).toBe(1);
      expect(run.output()).toMatch(
        /\[CONSUMER_ROWS_UNWRITTEN\] Closed with [1-9]\d* checkpoints not written/,
      );
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});
