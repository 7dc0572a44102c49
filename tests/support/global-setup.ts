import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config/load-config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createDatabase, databaseUrl, dropDatabasesWithPrefix } from '../../src/db/template-databases.ts';
import { reapRun, startServices } from '../../src/services/provider.ts';
import { startReaper } from '../../src/services/reaper.ts';
import { RunRegistry } from '../../src/services/run-registry.ts';
import './provided.ts';

/**
 * Once per run: real PostgreSQL and Redis from the provider, a migrated template database,
 * and a reaper that cleans up even if this process is killed. Teardown also ends whatever a
 * crashed worker left listed in the run directory.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadConfig(process.env).services;
  const registry = await RunRegistry.create(config.tmpDir);
  const reaper = startReaper(process.pid, registry.dir);
  const services = await startServices(config, registry);
  console.log(`[harness] ${services.describe()}`);

  const databasePrefix = `th_${randomBytes(4).toString('hex')}_`;
  const templateDatabase = `${databasePrefix}template`;
  const migrated = Date.now();
  await createDatabase(services.postgres.url, templateDatabase);
  await migrate(databaseUrl(services.postgres.url, templateDatabase));
  console.log(`[harness] template database migrated in ${Date.now() - migrated} ms`);

  project.provide('services', {
    runDir: registry.dir,
    postgresOrigin: services.postgres.origin,
    redisOrigin: services.redis.origin,
    postgresAdminUrl: services.postgres.url,
    templateDatabase,
    databasePrefix,
    redisUrl: services.redis.url,
  });

  return async () => {
    // On a shared (external) server, our databases must go; a private one goes as a whole.
    if (services.postgres.origin === 'external')
      await dropDatabasesWithPrefix(services.postgres.url, databasePrefix);
    await services.close();
    const leftovers = await reapRun(registry, config);
    if (leftovers.processes > 0 || leftovers.containers.length > 0)
      console.log(
        `[harness] reaped what crashed workers left: ${leftovers.processes} processes, ${leftovers.containers.length} containers`,
      );
    reaper.stop();
  };
}
