import type { HarnessConfig } from '../config/load-config.ts';
import { reapRun, startServices, type ServiceSet } from '../services/provider.ts';
import { startReaper } from '../services/reaper.ts';
import { RunRegistry } from '../services/run-registry.ts';

/**
 * Starts services for a CLI command, runs `work`, and always cleans up (a reaper covers crashes).
 * `runDir` is this run's own directory, removed with it.
 */
export async function withServices<T>(
  config: HarnessConfig,
  work: (services: ServiceSet, runDir: string) => Promise<T>,
): Promise<T> {
  const registry = await RunRegistry.create(config.services.tmpDir);
  const reaper = startReaper(process.pid, registry.dir);
  try {
    const services = await startServices(config.services, registry);
    try {
      return await work(services, registry.dir);
    } finally {
      await services.close();
    }
  } finally {
    const { kept } = await reapRun(registry, config.services);
    for (const user of kept)
      console.error(
        `kept ${registry.dir}: ${user.name} (pid ${user.pid}) still runs in ${user.cwd}; stop it, then remove the directory`,
      );
    reaper.stop();
  }
}

/** Throwaway services whatever the environment names (the demo, `run --start reference`), unless `useEnv`. */
export function throwawayServices(config: HarnessConfig, useEnv: boolean): HarnessConfig {
  if (useEnv) return config;
  const mode = config.services.mode === 'external' ? 'auto' : config.services.mode;
  return {
    ...config,
    services: {
      ...config.services,
      mode,
      postgresUrl: undefined,
      redisUrl: undefined,
      redisCluster: undefined,
    },
  };
}
