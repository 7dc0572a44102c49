import { afterAll, inject } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { startLocalPostgres } from '../../src/services/local-postgres.ts';
import { startLocalRedis } from '../../src/services/local-redis.ts';
import { RunRegistry } from '../../src/services/run-registry.ts';
import type { RunningService, ServiceControl } from '../../src/services/running-service.ts';
import './provided.ts';

export type Controllable = RunningService & { control: ServiceControl };

/**
 * Private, restartable servers for outage tests (stop PostgreSQL or Redis under a running consumer).
 * They come from the local binaries whatever path the run took, and are listed in the run directory.
 */
export function ownServices() {
  const registry = RunRegistry.attach(inject('services').runDir);
  const config = loadConfig(process.env).services;
  const started: RunningService[] = [];
  afterAll(() => Promise.all(started.map((s) => s.close())));
  return {
    async postgres(): Promise<Controllable> {
      const pg = await startLocalPostgres(config, registry);
      started.push(pg);
      await migrate(pg.url);
      return pg;
    },
    async redis(): Promise<Controllable> {
      const redis = await startLocalRedis(config, registry);
      started.push(redis);
      return redis;
    },
  };
}
