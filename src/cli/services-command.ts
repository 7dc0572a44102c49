import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { HarnessConfig } from '../config/load-config.ts';
import { migrate } from '../db/migrate.ts';
import { redactUrl } from '../services/redact-url.ts';
import { untilStopSignal } from './signals.ts';
import { withServices } from './with-services.ts';

export interface ServicesCommandOptions {
  /** Where to write DATABASE_URL / REDIS_URL (with passwords) for other shells; mode 0600. */
  readonly envFile: string;
}

/** Starts PostgreSQL and Redis by the provider order, migrates, prints where they are, waits for Ctrl+C. */
export async function servicesCommand(config: HarnessConfig, options: ServicesCommandOptions): Promise<void> {
  await withServices(config, async (services) => {
    console.log(services.describe());
    const result = await migrate(services.postgres.url);
    console.log(
      `schema: ${result.applied.length === 0 ? 'current' : `applied ${result.applied.join(', ')}`}`,
    );
    const envFile = resolve(options.envFile);
    await mkdir(dirname(envFile), { recursive: true });
    await writeFile(envFile, `DATABASE_URL=${services.postgres.url}\nREDIS_URL=${services.redis.url}\n`, {
      mode: 0o600,
    });
    console.log(`DATABASE_URL=${redactUrl(services.postgres.url)}`);
    console.log(`REDIS_URL=${redactUrl(services.redis.url)}`);
    console.log(`full URLs (with passwords) in ${envFile}: set -a; . ${options.envFile}; set +a`);
    console.log('Ctrl+C stops the services and removes their data.');
    const signal = await untilStopSignal();
    console.log(`${signal}: stopping services`);
  });
}
