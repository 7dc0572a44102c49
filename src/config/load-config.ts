import { tmpdir } from 'node:os';
import { SERVICE_MODES, type ServicesConfig } from '../services/services-config.ts';
import { EnvReader, type Env } from './env-reader.ts';

export interface HarnessConfig {
  readonly services: ServicesConfig;
}

const POSTGRES_PROTOCOLS = ['postgres:', 'postgresql:'];
const REDIS_PROTOCOLS = ['redis:', 'rediss:'];

function readServices(read: EnvReader, env: Env): ServicesConfig {
  return Object.freeze({
    mode: read.oneOf('HARNESS_SERVICES', SERVICE_MODES, 'auto'),
    postgresUrl: read.url(['TEST_DATABASE_URL', 'DATABASE_URL'], POSTGRES_PROTOCOLS),
    redisUrl: read.url(['TEST_REDIS_URL', 'REDIS_URL'], REDIS_PROTOCOLS),
    postgresImage: read.string('HARNESS_POSTGRES_IMAGE', 'postgres:16-alpine'),
    redisImage: read.string('HARNESS_REDIS_IMAGE', 'redis:7-alpine'),
    dockerHost: read.raw('DOCKER_HOST'),
    runtimeProbeMs: read.int('HARNESS_RUNTIME_PROBE_MS', 3000, 100, 30_000),
    startTimeoutMs: read.int('HARNESS_START_TIMEOUT_MS', 60_000, 1000, 600_000),
    postgresBinDir: read.raw('HARNESS_POSTGRES_BIN_DIR'),
    redisServerPath: read.raw('HARNESS_REDIS_SERVER'),
    searchPath: env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    tmpDir: read.string('HARNESS_TMPDIR', tmpdir()),
  });
}

/** Parses and validates the whole configuration once; every bad key is reported in one error. */
export function loadConfig(env: Env = process.env): HarnessConfig {
  const read = new EnvReader(env);
  return read.finish({ services: readServices(read, env) });
}
