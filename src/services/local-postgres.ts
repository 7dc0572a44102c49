import { randomBytes } from 'node:crypto';
import { chmod, chown, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeUnlessInUse } from './dir-users.ts';
import { freePort } from './free-port.ts';
import { findPostgresBinaries } from './local-binaries.ts';
import { TrackedServer, type ServerSpec } from './tracked-server.ts';
import type { RunRegistry } from './run-registry.ts';
import { once, type RunningService, type ServiceControl } from './running-service.ts';
import { ServiceError } from './service-error.ts';
import type { ServicesConfig } from './services-config.ts';
import { findSystemUser, type SystemUser } from './system-user.ts';
import { runCommand } from './run-command.ts';

// Test speed: nothing here must survive a crash, so durability is switched off.
const TEST_SPEED_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];
const ALWAYS = ['max_connections=300', 'listen_addresses=127.0.0.1'];
const PORT_ATTEMPTS = 3;

async function runAsUser(): Promise<SystemUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const user = await findSystemUser('postgres');
  if (user !== undefined) return user;
  throw new ServiceError(
    'SERVICES_START_FAILED',
    'We run as root and PostgreSQL refuses to; no `postgres` user exists to run it as.',
    'apt-get install postgresql creates that user; or run the tests as an ordinary user.',
  );
}

async function initCluster(
  dir: string,
  initdb: string,
  user: SystemUser | undefined,
  password: string,
): Promise<string> {
  const dataDir = join(dir, 'data');
  const pwFile = join(dir, 'pw');
  await writeFile(pwFile, password, { mode: 0o600 });
  if (user !== undefined)
    await Promise.all([chown(dir, user.uid, user.gid), chown(pwFile, user.uid, user.gid)]);
  await runCommand({
    label: 'initdb',
    command: initdb,
    args: [
      '-D',
      dataDir,
      '-U',
      'postgres',
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ],
    env: { PATH: '/usr/bin:/bin', LANG: 'C' },
    ...user,
  });
  await unlink(pwFile);
  return dataDir;
}

function postgresSpec(
  binary: string,
  dir: string,
  dataDir: string,
  user: SystemUser | undefined,
  port: number,
  config: ServicesConfig,
): ServerSpec {
  const settings = config.postgresDurable ? ALWAYS : [...TEST_SPEED_SETTINGS, ...ALWAYS];
  return {
    label: `postgres on 127.0.0.1:${port}`,
    name: 'postgres',
    signal: 'SIGINT', // fast shutdown
    command: binary,
    args: ['-D', dataDir, '-p', String(port), '-k', dir, ...settings.flatMap((s) => ['-c', s])],
    env: { PATH: '/usr/bin:/bin', LANG: 'C' },
    readyPattern: /ready to accept connections/,
    timeoutMs: config.startTimeoutMs,
    ...user,
  };
}

async function startOnFreePort(
  spec: (port: number) => ServerSpec,
  registry: RunRegistry,
): Promise<{ server: TrackedServer; port: number }> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      return { server: await TrackedServer.start(spec(port), registry), port };
    } catch (error) {
      // Another process may take the port between our probe and postgres' bind: pick another.
      const clash = error instanceof ServiceError && /could not bind|already in use/i.test(error.message);
      if (!clash || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

/** A private PostgreSQL server: fresh cluster in the run directory, loopback only, random password. */
export async function startLocalPostgres(
  config: ServicesConfig,
  registry: RunRegistry,
): Promise<RunningService & { control: ServiceControl }> {
  const started = Date.now();
  const { initdb, postgres } = await findPostgresBinaries(config.postgresBinDir, config.searchPath);
  const user = await runAsUser();
  if (user !== undefined) await chmod(registry.dir, 0o711);
  const dir = await registry.makeDir('pg-');
  const password = randomBytes(18).toString('base64url');
  const dataDir = await initCluster(dir, initdb, user, password);
  const { server, port } = await startOnFreePort(
    (p) => postgresSpec(postgres, dir, dataDir, user, p, config),
    registry,
  );
  return {
    origin: 'local',
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    startupMs: Date.now() - started,
    control: server,
    close: once(async () => {
      await server.stop();
      await removeUnlessInUse(dir); // the run's reaping reports a kept directory
    }),
  };
}
