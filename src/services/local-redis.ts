import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { findRedisServer } from './local-binaries.ts';
import { TrackedServer } from './tracked-server.ts';
import type { RunRegistry } from './run-registry.ts';
import { once, type RunningService, type ServiceControl } from './running-service.ts';
import type { ServicesConfig } from './services-config.ts';

/** A private redis-server: loopback, no persistence, password in a 0600 config file (never argv). */
export async function startLocalRedis(
  config: ServicesConfig,
  registry: RunRegistry,
): Promise<RunningService & { control: ServiceControl }> {
  const started = Date.now();
  const binary = await findRedisServer(config.redisServerPath, config.searchPath);
  const dir = await registry.makeDir('redis-');
  const password = randomBytes(18).toString('base64url');
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
    origin: 'local',
    url: `redis://:${password}@127.0.0.1:${port}`,
    startupMs: Date.now() - started,
    control: server,
    close: once(async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }),
  };
}
