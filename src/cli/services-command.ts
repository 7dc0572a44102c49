import { rm, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { HarnessConfig } from '../config/load-config.ts';
import { migrate } from '../db/migrate.ts';
import { redactUrl } from '../services/redact-url.ts';
import { untilStopSignal } from './signals.ts';
import { withServices } from './with-services.ts';

export interface ServicesCommandOptions {
  /** Also make the URLs (with passwords) reachable here, for other shells; removed at exit. */
  readonly writeEnv?: string;
}

/**
 * Starts PostgreSQL and Redis by the provider order, migrates, prints where they are, waits for
 * Ctrl+C. The URLs with passwords go to a file of this run's own directory (mode 0600), which goes
 * with the run whatever ends it; --write-env links to it from a path of the user's choice.
 */
export async function servicesCommand(config: HarnessConfig, options: ServicesCommandOptions): Promise<void> {
  const stopSignal = untilStopSignal(); // listening before the URLs are printed
  await withServices(config, async (services, runDir) => {
    console.log(services.describe());
    const result = await migrate(services.postgres.url);
    console.log(
      `schema: ${result.applied.length === 0 ? 'current' : `applied ${result.applied.join(', ')}`}`,
    );
    const envFile = join(runDir, 'services.env');
    await writeFile(envFile, `DATABASE_URL=${services.postgres.url}\nREDIS_URL=${services.redis.url}\n`, {
      mode: 0o600,
    });
    const link = options.writeEnv === undefined ? undefined : resolve(options.writeEnv);
    if (link !== undefined) {
      await rm(link, { force: true });
      await symlink(envFile, link);
    }
    try {
      console.log(`DATABASE_URL=${redactUrl(services.postgres.url)}`);
      console.log(`REDIS_URL=${redactUrl(services.redis.url)}`);
      console.log(`full URLs (with passwords), for this run only: set -a; . ${link ?? envFile}; set +a`);
      console.log('Ctrl+C stops the services and removes their data.');
      const signal = await stopSignal;
      console.log(`${signal}: stopping services`);
    } finally {
      if (link !== undefined) await rm(link, { force: true });
    }
  });
}
