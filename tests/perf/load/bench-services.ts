import { cpus } from 'node:os';
import { loadConfig, type HarnessConfig } from '../../../src/config/load-config.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { createDatabase, databaseUrl } from '../../../src/db/template-databases.ts';
import { reapRun, startServices, type ServiceSet } from '../../../src/services/provider.ts';
import { startReaper } from '../../../src/services/reaper.ts';
import { RunRegistry } from '../../../src/services/run-registry.ts';

export interface BenchServices {
  readonly config: HarnessConfig;
  readonly services: ServiceSet;
  /** One line naming the services and the machine, for reports. */
  readonly setting: string;
  /** A fresh database cloned from the migrated template, so runs do not share tables. */
  readonly freshDatabase: () => Promise<string>;
  readonly registry: RunRegistry;
}

/**
 * Services for a benchmark, PostgreSQL durable (fsync on) unless HARNESS_POSTGRES_DURABLE=false,
 * a migrated template, and cleanup whatever happens (a reaper covers a kill).
 */
export async function withBenchServices(
  name: string,
  work: (bench: BenchServices) => Promise<void>,
): Promise<void> {
  const config = loadConfig({ HARNESS_POSTGRES_DURABLE: 'true', ...process.env });
  const registry = await RunRegistry.create(config.services.tmpDir);
  const reaper = startReaper(process.pid, registry.dir);
  const services = await startServices(config.services, registry);
  try {
    const setting = `PostgreSQL ${config.services.postgresDurable ? 'durable (fsync on)' : 'test speed (fsync off)'}, ${cpus().length} cores, Node ${process.version}`;
    console.log(`${services.describe()}\n${setting}`);
    const template = `${name}_template`;
    await createDatabase(services.postgres.url, template);
    await migrate(databaseUrl(services.postgres.url, template));
    let n = 0;
    await work({
      config,
      services,
      setting,
      registry,
      freshDatabase: async () => {
        const db = `${name}_${(n += 1)}`;
        await createDatabase(services.postgres.url, db, template);
        return databaseUrl(services.postgres.url, db);
      },
    });
  } finally {
    await services.close();
    await reapRun(registry, config.services);
    reaper.stop();
  }
}
