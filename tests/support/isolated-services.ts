import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { createDatabase, databaseUrl, dropDatabase } from '../../src/db/template-databases.ts';
import { startRedis } from '../../src/services/provider.ts';
import { RunRegistry } from '../../src/services/run-registry.ts';
import type { RunningService } from '../../src/services/running-service.ts';
import './provided.ts';

export interface IsolatedServices {
  /** This file's own database, a copy of the migrated template. */
  readonly databaseUrl: string;
  /** This file's own Redis (shared only when Redis is external; such runs go one file at a time). */
  readonly redisUrl: string;
}

/** Registers hooks that give the calling test file its own database and Redis server. */
export function useIsolatedServices(): IsolatedServices {
  const provided = inject('services');
  const name = `${provided.databasePrefix}${randomBytes(4).toString('hex')}`;
  let redis: RunningService | undefined;
  let ready = false;

  beforeAll(async () => {
    const config = loadConfig(process.env).services;
    const registry = RunRegistry.attach(provided.runDir);
    [redis] = await Promise.all([
      provided.redisOrigin === 'external' ? undefined : startRedis(provided.redisOrigin, config, registry),
      createDatabase(provided.postgresAdminUrl, name, provided.templateDatabase),
    ]);
    ready = true;
  });

  afterAll(async () => {
    await Promise.all([redis?.close(), ready ? dropDatabase(provided.postgresAdminUrl, name) : undefined]);
  });

  const whenReady = <T>(value: () => T): T => {
    if (!ready)
      throw new Error('Isolated services are used before beforeAll ran; read them inside a test or hook.');
    return value();
  };
  return {
    get databaseUrl() {
      return whenReady(() => databaseUrl(provided.postgresAdminUrl, name));
    },
    get redisUrl() {
      return whenReady(() => redis?.url ?? provided.redisUrl);
    },
  };
}

/**
 * A pool on this file's database, opened before its tests and ended after them. Read it only inside a
 * test or hook (the database exists from beforeAll on); the hooks go where this is called.
 */
export function usePool(services: IsolatedServices, max = 2): pg.Pool {
  let pool: pg.Pool | undefined;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: services.databaseUrl, max });
  });
  afterAll(() => pool?.end());
  return new Proxy({} as pg.Pool, {
    get: (_, key) => {
      if (pool === undefined) throw new Error('The pool is used before beforeAll ran.');
      const value: unknown = Reflect.get(pool, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(pool) : value;
    },
  });
}
