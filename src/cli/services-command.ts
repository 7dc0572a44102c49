import { rm, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { HarnessConfig } from '../config/load-config.ts';
import { migrate } from '../db/migrate.ts';
import { isAlive } from '../services/pid-control.ts';
import { redactUrl } from '../services/redact-url.ts';
import { RunRegistry } from '../services/run-registry.ts';
import { watchServices, type ServiceChange } from '../services/service-watch.ts';
import { untilStopSignal } from './signals.ts';
import { withServices } from './with-services.ts';

const WATCH_INTERVAL_MS = 500;

const PROGRAMS: Record<string, string> = { postgres: 'postgres', redis: 'redis-server' };

/** What became of the server process this run started for `name` (nothing for containers or external). */
async function fateOf(runDir: string, name: string): Promise<string> {
  const listed = (await RunRegistry.attach(runDir).processes()).filter((p) => p.name === PROGRAMS[name]);
  return listed
    .map(({ pid }) =>
      isAlive(pid) ? `; pid ${pid} still runs (hung?)` : `; the ${name} we started (pid ${pid}) has exited`,
    )
    .join('');
}

async function describeChange({ name, where, up, at }: ServiceChange, runDir: string): Promise<string> {
  const when = at.toISOString();
  if (up) return `${when} ${name} on ${where} answers again`;
  return `${when} ${name} on ${where} stopped answering${await fateOf(runDir, name)}; still waiting for Ctrl+C`;
}

export interface ServicesCommandOptions {
  /** Also make the URLs (with passwords) reachable here, for other shells; removed at exit. */
  readonly writeEnv?: string;
}

/**
 * Starts PostgreSQL and Redis by the provider order, migrates, prints where they are, waits for
 * Ctrl+C, saying meanwhile when a server stops answering or answers again. The URLs with passwords go to a file of this run's own directory (mode 0600), which goes
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
      const watch = watchServices(
        [
          { name: 'postgres', url: services.postgres.url },
          { name: 'redis', url: services.redis.url },
        ],
        (change) => void describeChange(change, runDir).then((line) => console.error(line)),
        WATCH_INTERVAL_MS,
      );
      const signal = await stopSignal.finally(() => watch.stop());
      console.log(`${signal}: stopping services`);
    } finally {
      if (link !== undefined) await rm(link, { force: true });
    }
  });
}
