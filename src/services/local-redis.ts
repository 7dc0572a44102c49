import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeUnlessInUse } from './dir-users.ts';
import { freePort } from './free-port.ts';
import { findRedisServer } from './local-binaries.ts';
import { TrackedServer } from './tracked-server.ts';
import type { RunRegistry } from './run-registry.ts';
import { once, type RunningService, type ServiceControl } from './running-service.ts';
import type { ServicesConfig } from './services-config.ts';

/** One redis-server process in its own directory under the run registry. */
export interface RedisNode {
  readonly port: number;
  readonly server: TrackedServer;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

export const newRedisPassword = (): string => randomBytes(18).toString('base64url');

/**
 * Starts a private redis-server: loopback, no persistence, password in a 0600 config file (never
 * argv); `extraConf` adds lines (a cluster node's settings).
 */
export async function startRedisNode(
  config: ServicesConfig,
  registry: RunRegistry,
  password: string,
  extraConf: readonly string[] = [],
): Promise<RedisNode> {
  const binary = await findRedisServer(config.redisServerPath, config.searchPath);
  const dir = await registry.makeDir('redis-');
  const port = await freePort();
  const confFile = join(dir, 'redis.conf');
  const conf = [
    `port ${port}`,
    'bind 127.0.0.1',
    'save ""',
    'appendonly no',
    `dir ${dir}`,
    `requirepass ${password}`,
    'daemonize no',
    ...extraConf,
  ];
  await writeFile(confFile, conf.join('\n') + '\n', { mode: 0o600 });
  const server = await TrackedServer.start(
    {
      label: `redis-server on 127.0.0.1:${port}`,
      name: 'redis-server',
      signal: 'SIGTERM',
      command: binary,
      args: [confFile],
      env: { PATH: '/usr/bin:/bin' },
      readyPattern: /Ready to accept connections/,
      timeoutMs: config.startTimeoutMs,
    },
    registry,
  );
  return {
    port,
    server,
    close: once(async () => {
      await server.stop();
      await removeUnlessInUse(dir); // the run's reaping reports a kept directory
    }),
  };
}

/** A private redis-server for the pipeline's classic pub-sub. */
export async function startLocalRedis(
  config: ServicesConfig,
  registry: RunRegistry,
): Promise<RunningService & { control: ServiceControl }> {
  const started = Date.now();
  const password = newRedisPassword();
  const node = await startRedisNode(config, registry, password);
  return {
    origin: 'local',
    url: `redis://:${password}@127.0.0.1:${node.port}`,
    startupMs: Date.now() - started,
    control: node.server,
    close: () => node.close(),
  };
}
