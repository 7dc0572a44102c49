import { imagePresent, probeContainerRuntime, removeContainer } from './container-runtime.ts';
import { startPostgresContainer, startRedisContainer } from './container-services.ts';
import { dockerEndpoint } from './docker-api.ts';
import { findPostgresBinaries, findRedisServer } from './local-binaries.ts';
import { startLocalPostgres } from './local-postgres.ts';
import { startLocalRedis } from './local-redis.ts';
import { startLocalRedisCluster, type RunningCluster } from './local-redis-cluster.ts';
import type { ReapReport, RunRegistry } from './run-registry.ts';
import { once, type RunningService, type ServiceOrigin } from './running-service.ts';
import { ServiceError, THREE_WAYS_TO_FIX } from './service-error.ts';
import type { ServicesConfig } from './services-config.ts';

export interface ServiceSet {
  readonly postgres: RunningService;
  readonly redis: RunningService;
  /** A 3-master Redis Cluster from the local binary, when asked for (sharded pub-sub). */
  readonly redisCluster: RunningCluster | undefined;
  readonly startupMs: number;
  /** One line naming the path each service took, where it listens and how long it took. */
  describe(): string;
  close(): Promise<void>;
}

export interface ServicePlan {
  readonly postgres: ServiceOrigin;
  readonly redis: ServiceOrigin;
  /** Why auto mode chose what it chose; printed so that no choice is silent. */
  readonly notes: readonly string[];
}

function external(url: string): RunningService {
  return { origin: 'external', url, startupMs: 0, close: () => Promise.resolve() };
}

async function runtimeOrThrow(config: ServicesConfig): Promise<void> {
  const probe = await probeContainerRuntime(config.dockerHost, config.runtimeProbeMs);
  if (!probe.ok)
    throw new ServiceError(
      'SERVICES_RUNTIME_UNAVAILABLE',
      `HARNESS_SERVICES=containers, but no container runtime answered at ${probe.where}: ${probe.reason}.`,
      `Start dockerd (or set DOCKER_HOST), or choose another way:\n     ${THREE_WAYS_TO_FIX}`,
    );
}

async function localBinariesPresent(config: ServicesConfig): Promise<boolean> {
  try {
    await findPostgresBinaries(config.postgresBinDir, config.searchPath);
    await findRedisServer(config.redisServerPath, config.searchPath);
    return true;
  } catch {
    return false;
  }
}

/** Auto mode: a runtime that answers and holds both images, else local binaries. Never pulls. */
async function autoOrigin(config: ServicesConfig, notes: string[]): Promise<ServiceOrigin> {
  const probe = await probeContainerRuntime(config.dockerHost, config.runtimeProbeMs);
  if (probe.ok) {
    const images = [config.postgresImage, config.redisImage];
    const present = await Promise.all(
      images.map((i) => imagePresent(probe.endpoint, i, config.runtimeProbeMs)),
    );
    const missing = images.filter((_, i) => !present[i]);
    if (missing.length === 0) return 'containers';
    notes.push(
      `container runtime at ${probe.where} answers, but ${missing.join(', ')} not present locally (auto never pulls)`,
    );
  } else {
    notes.push(`no container runtime at ${probe.where} (${probe.reason}), so local binaries`);
  }
  if (await localBinariesPresent(config)) return 'local';
  throw new ServiceError(
    'SERVICES_UNAVAILABLE',
    `No way to get PostgreSQL and Redis: ${notes.join('; ')}; no local postgres/redis-server binaries.`,
    `Choose one of three ways:\n     ${THREE_WAYS_TO_FIX}`,
  );
}

/** Decides, without starting anything, where each service will come from. */
export async function planServices(config: ServicesConfig): Promise<ServicePlan> {
  const notes: string[] = [];
  const { postgresUrl, redisUrl } = config;
  switch (config.mode) {
    case 'external': {
      const missing = [postgresUrl ? '' : 'DATABASE_URL', redisUrl ? '' : 'REDIS_URL'].filter(Boolean);
      if (missing.length > 0)
        throw new ServiceError(
          'SERVICES_EXTERNAL_URL_MISSING',
          `HARNESS_SERVICES=external, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set.`,
          'Set them (or TEST_DATABASE_URL / TEST_REDIS_URL), or use HARNESS_SERVICES=auto.',
        );
      return { postgres: 'external', redis: 'external', notes };
    }
    case 'containers':
      await runtimeOrThrow(config);
      return { postgres: 'containers', redis: 'containers', notes };
    case 'local':
      await findPostgresBinaries(config.postgresBinDir, config.searchPath);
      await findRedisServer(config.redisServerPath, config.searchPath);
      return { postgres: 'local', redis: 'local', notes };
    case 'auto': {
      const rest = postgresUrl && redisUrl ? 'external' : await autoOrigin(config, notes);
      return { postgres: postgresUrl ? 'external' : rest, redis: redisUrl ? 'external' : rest, notes };
    }
  }
}

export function startPostgres(
  origin: ServiceOrigin,
  config: ServicesConfig,
  registry: RunRegistry,
): Promise<RunningService> {
  if (origin === 'external') return Promise.resolve(external(config.postgresUrl ?? ''));
  return origin === 'containers'
    ? startPostgresContainer(config, registry)
    : startLocalPostgres(config, registry);
}

export function startRedis(
  origin: ServiceOrigin,
  config: ServicesConfig,
  registry: RunRegistry,
): Promise<RunningService> {
  if (origin === 'external') return Promise.resolve(external(config.redisUrl ?? ''));
  return origin === 'containers' ? startRedisContainer(config, registry) : startLocalRedis(config, registry);
}

function describeService(name: string, service: RunningService): string {
  const where = new URL(service.url).host;
  const took = service.origin === 'external' ? 'given' : `${(service.startupMs / 1000).toFixed(2)} s`;
  return `${name}=${service.origin} ${where} (${took})`;
}

function describeCluster(cluster: RunningCluster | undefined): string[] {
  if (cluster === undefined) return [];
  const ports = cluster.target.nodes.map((n) => n.port).join(', ');
  return [
    `  redis cluster: local, 3 masters on 127.0.0.1 ports ${ports} (${(cluster.startupMs / 1000).toFixed(2)} s)`,
  ];
}

/**
 * Starts PostgreSQL and Redis by the provider order, and a Redis Cluster too when `redisCluster`
 * (from the local redis-server: it is for sharded pub-sub, not the default path); if any fails,
 * stops the others.
 */
export async function startServices(
  config: ServicesConfig,
  registry: RunRegistry,
  options: { readonly redisCluster?: boolean } = {},
): Promise<ServiceSet & { plan: ServicePlan }> {
  const started = Date.now();
  const plan = await planServices(config);
  const results = await Promise.allSettled([
    startPostgres(plan.postgres, config, registry),
    startRedis(plan.redis, config, registry),
    options.redisCluster === true ? startLocalRedisCluster(config, registry) : Promise.resolve(undefined),
  ]);
  const [pg, redis, cluster] = results;
  const failed = results.find((r) => r.status === 'rejected');
  if (pg.status === 'rejected' || redis.status === 'rejected' || cluster.status === 'rejected') {
    await Promise.all(results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value.close()] : [])));
    throw (failed as PromiseRejectedResult).reason;
  }
  const startupMs = Date.now() - started;
  return {
    plan,
    postgres: pg.value,
    redis: redis.value,
    redisCluster: cluster.value,
    startupMs,
    describe: () =>
      [
        `services: ${describeService('postgres', pg.value)}, ${describeService('redis', redis.value)}; ready in ${(startupMs / 1000).toFixed(2)} s`,
        ...describeCluster(cluster.value),
        ...plan.notes.map((n) => `  auto: ${n}`),
      ].join('\n'),
    close: once(async () => {
      await Promise.all([pg.value.close(), redis.value.close(), cluster.value?.close()]);
    }),
  };
}

/**
 * Ends whatever the run directory still lists (a crashed worker's servers) and removes it, unless a
 * server we did not start (restarted by hand) still works on its data: that is reported in `kept`.
 */
export async function reapRun(registry: RunRegistry, config: ServicesConfig): Promise<ReapReport> {
  const endpoint = dockerEndpoint(config.dockerHost);
  const report = await registry.reapAll((id) => removeContainer(endpoint, id, 10_000));
  return { ...report, kept: await registry.remove() };
}
