import { randomBytes } from 'node:crypto';
import type * as PgModule from '@testcontainers/postgresql';
import type * as RedisModule from '@testcontainers/redis';
import type { RunRegistry } from './run-registry.ts';
import { once, type RunningService } from './running-service.ts';
import { ServiceError } from './service-error.ts';
import type { ServicesConfig } from './services-config.ts';

/**
 * testcontainers is configured only through the environment. Ryuk (its reaper) is an image that
 * cannot be pulled where no registry is reachable; our own reaper removes the containers we
 * list, so Ryuk stays off unless the caller turned it on. Loaded lazily: it costs ~300 ms.
 */
async function testcontainers(): Promise<{ pg: typeof PgModule; redis: typeof RedisModule }> {
  // eslint-disable-next-line no-restricted-syntax -- testcontainers reads only the environment
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  const [pg, redis] = await Promise.all([
    import('@testcontainers/postgresql'),
    import('@testcontainers/redis'),
  ]);
  return { pg, redis };
}

function startFailure(image: string, error: unknown): ServiceError {
  return new ServiceError(
    'SERVICES_START_FAILED',
    `The container from image ${image} did not start: ${(error as Error).message}`,
    'Build the local images (bash scripts/images/build.sh) and point HARNESS_POSTGRES_IMAGE / HARNESS_REDIS_IMAGE at them, or pull the image.',
    { cause: error },
  );
}

export async function startPostgresContainer(
  config: ServicesConfig,
  registry: RunRegistry,
): Promise<RunningService> {
  const started = Date.now();
  const { pg } = await testcontainers();
  const password = randomBytes(18).toString('base64url');
  const container = await new pg.PostgreSqlContainer(config.postgresImage)
    .withDatabase('postgres')
    .withUsername('postgres')
    .withPassword(password)
    .withCommand([
      'postgres',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
    ])
    .withStartupTimeout(config.startTimeoutMs)
    .start()
    .catch((error: unknown) => {
      throw startFailure(config.postgresImage, error);
    });
  const untrack = await registry.trackContainer(container.getId());
  return {
    origin: 'containers',
    url: container.getConnectionUri(),
    startupMs: Date.now() - started,
    close: once(async () => {
      await container.stop({ remove: true, removeVolumes: true });
      await untrack();
    }),
  };
}

export async function startRedisContainer(
  config: ServicesConfig,
  registry: RunRegistry,
): Promise<RunningService> {
  const started = Date.now();
  const { redis } = await testcontainers();
  // Docker publishes ports on every interface, so even a throwaway server gets a password.
  const container = await new redis.RedisContainer(config.redisImage)
    .withPassword(randomBytes(18).toString('base64url'))
    .withStartupTimeout(config.startTimeoutMs)
    .start()
    .catch((error: unknown) => {
      throw startFailure(config.redisImage, error);
    });
  const untrack = await registry.trackContainer(container.getId());
  return {
    origin: 'containers',
    url: container.getConnectionUrl(),
    startupMs: Date.now() - started,
    close: once(async () => {
      await container.stop({ remove: true, removeVolumes: true });
      await untrack();
    }),
  };
}
