import { readdir } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { reapRun, startServices } from '../../../src/services/provider.ts';
import { RunRegistry } from '../../../src/services/run-registry.ts';
import type { ServicesConfig } from '../../../src/services/services-config.ts';
import { useIsolatedServices } from '../../support/isolated-services.ts';

const isolated = useIsolatedServices();
const base = loadConfig({
  PATH: process.env['PATH'],
  HARNESS_TMPDIR: process.env['HARNESS_TMPDIR'],
}).services;
let registry: RunRegistry;
beforeAll(async () => {
  registry = await RunRegistry.create(base.tmpDir);
});
afterAll(() => reapRun(registry, base));

const configWith = (overrides: Partial<ServicesConfig>): ServicesConfig => ({ ...base, ...overrides });
const listedProcesses = async () => readdir(join(registry.dir, 'procs'));

async function expectCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message?: string },
  );
  expect(error?.code).toBe(code);
  if (message !== undefined) expect(error?.message).toMatch(message);
}

describe('provider order', () => {
  test('given URLs win: they are used as they are and nothing is started', async () => {
    const config = configWith({ postgresUrl: isolated.databaseUrl, redisUrl: isolated.redisUrl });
    const services = await startServices(config, registry);
    expect(services.plan).toMatchObject({ postgres: 'external', redis: 'external' });
    expect([services.postgres.url, services.redis.url]).toEqual([isolated.databaseUrl, isolated.redisUrl]);
    expect(await listedProcesses()).toEqual([]);
    await services.close();
    // close() of an external service stops nothing: the server still answers.
    const redis = new Redis(isolated.redisUrl);
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
  });

  test('one given URL is used; the other service comes from the next way', async () => {
    const services = await startServices(
      configWith({
        mode: 'auto',
        redisUrl: isolated.redisUrl,
        dockerHost: 'unix:///nonexistent/docker.sock',
      }),
      registry,
    );
    try {
      expect(services.plan).toMatchObject({ postgres: 'local', redis: 'external' });
      expect(services.describe()).toMatch(/auto: no container runtime at unix:\/\/\/nonexistent/);
    } finally {
      await services.close();
    }
  });

  test('local binaries: both servers start within 30 s (about 1 s when idle; initdb is CPU-bound, and the suite runs three files at once), answer, and are gone after close', async () => {
    const services = await startServices(configWith({ mode: 'local' }), registry);
    console.log(`[provider test] ${services.describe()}`);
    try {
      expect(services.startupMs).toBeLessThanOrEqual(30_000);
      expect(new URL(services.postgres.url).hostname).toBe('127.0.0.1');
      expect(new URL(services.redis.url).hostname).toBe('127.0.0.1');
      const client = new pg.Client({ connectionString: services.postgres.url });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.end();
      const redis = new Redis(services.redis.url);
      expect(await redis.ping()).toBe('PONG');
      redis.disconnect();
      expect(await listedProcesses()).toHaveLength(2);
    } finally {
      await services.close();
      await services.close(); // safe twice
    }
    expect(await listedProcesses()).toEqual([]);
  });
});

describe('a forced path that cannot be had is an error, never a fallback', () => {
  let silent: Server;
  let silentPort = 0;
  const held = new Set<Socket>();
  beforeAll(async () => {
    // Accepts connections and never answers: a hung runtime must not hang us.
    silent = createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  test('containers with no runtime: SERVICES_RUNTIME_UNAVAILABLE within 5 s', async () => {
    const started = Date.now();
    await expectCode(
      startServices(
        configWith({ mode: 'containers', dockerHost: 'unix:///nonexistent/docker.sock' }),
        registry,
      ),
      'SERVICES_RUNTIME_UNAVAILABLE',
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('containers with a runtime that never answers: the probe gives up within its bound', async () => {
    const started = Date.now();
    const config = configWith({
      mode: 'containers',
      dockerHost: `tcp://127.0.0.1:${silentPort}`,
      runtimeProbeMs: 1000,
    });
    await expectCode(startServices(config, registry), 'SERVICES_RUNTIME_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('external without URLs names what is missing', async () => {
    const attempt = startServices(
      configWith({ mode: 'external', postgresUrl: undefined, redisUrl: undefined }),
      registry,
    );
    await expectCode(attempt, 'SERVICES_EXTERNAL_URL_MISSING', /DATABASE_URL and REDIS_URL/);
  });

  test('local without binaries: SERVICES_BINARY_NOT_FOUND naming where it looked', async () => {
    const attempt = startServices(
      configWith({ mode: 'local', postgresBinDir: '/nonexistent/bin' }),
      registry,
    );
    await expectCode(attempt, 'SERVICES_BINARY_NOT_FOUND', /\/nonexistent\/bin/);
  });

  test('auto with no way at all: one error naming the three ways to fix it', async () => {
    const config = configWith({
      mode: 'auto',
      dockerHost: 'unix:///nonexistent/docker.sock',
      postgresBinDir: '/nonexistent/bin',
      redisServerPath: '/nonexistent/redis-server',
    });
    const attempt = startServices(config, registry);
    await expectCode(
      attempt,
      'SERVICES_UNAVAILABLE',
      /DATABASE_URL and REDIS_URL[\s\S]*container runtime[\s\S]*apt-get install postgresql redis-server/,
    );
  });
});

describe('configuration', () => {
  test('every bad key is reported in one error, with no URL printed', () => {
    const attempt = () =>
      loadConfig({
        HARNESS_SERVICES: 'docker',
        HARNESS_RUNTIME_PROBE_MS: 'soon',
        DATABASE_URL: 'mysql://u:secret@h/db',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const config = error as ConfigError;
      expect(config.code).toBe('CONFIG_INVALID');
      expect(config.issues.map((i) => i.key)).toEqual([
        'HARNESS_SERVICES',
        'DATABASE_URL',
        'HARNESS_RUNTIME_PROBE_MS',
      ]);
      expect(config.message).not.toContain('secret');
    }
  });

  test('CONSUMER_SHARD is INDEX/COUNT, 1 ≤ INDEX ≤ COUNT; anything else is named with what it must be', () => {
    expect(loadConfig({ CONSUMER_SHARD: '2/3' }).consumer.shard).toEqual({ index: 2, count: 3 });
    expect(loadConfig({}).consumer.shard).toBeUndefined();
    for (const bad of ['0/2', '3/2', '1', 'a/b', '1/65']) {
      const error = (() => {
        try {
          loadConfig({ CONSUMER_SHARD: bad });
        } catch (e) {
          return e as ConfigError;
        }
        return undefined;
      })();
      expect(error?.issues, bad).toEqual([
        { key: 'CONSUMER_SHARD', value: bad, expected: 'INDEX/COUNT with 1 ≤ INDEX ≤ COUNT ≤ 64, e.g. 1/2' },
      ]);
    }
  });

  test('TEST_ variants take precedence over the plain URLs', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://a/x',
      TEST_DATABASE_URL: 'postgres://b/y',
      REDIS_URL: 'redis://c',
    });
    expect(config.services).toMatchObject({ postgresUrl: 'postgres://b/y', redisUrl: 'redis://c' });
  });
});
