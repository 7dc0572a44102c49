import { tmpdir } from 'node:os';
import { SERVICE_MODES, type ServicesConfig } from '../services/services-config.ts';
import { EnvReader, type Env } from './env-reader.ts';
import { LOG_LEVELS, type LogLevel } from '../shared/logger.ts';
import { DEFAULT_BATCHING, type BatchingSinkOptions } from '../tracking/batching-sink.ts';

export interface TrackingConfig {
  /** ENABLE_INTEGRATION_TRACKING: false writes no checkpoint rows, only structured log lines (spec 002). */
  readonly enabled: boolean;
  readonly batching: BatchingSinkOptions;
}

export interface ConsumerConfig {
  readonly host: string;
  readonly port: number;
  readonly heartbeatIntervalMs: number;
}

export interface HarnessConfig {
  readonly services: ServicesConfig;
  readonly tracking: TrackingConfig;
  readonly consumer: ConsumerConfig;
  readonly logLevel: LogLevel;
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
    postgresDurable: read.boolean('HARNESS_POSTGRES_DURABLE', false),
  });
}

/** Parses and validates the whole configuration once; every bad key is reported in one error. */
export function loadConfig(env: Env = process.env): HarnessConfig {
  const read = new EnvReader(env);
  return read.finish({
    services: readServices(read, env),
    tracking: Object.freeze({
      enabled: read.boolean('ENABLE_INTEGRATION_TRACKING', true),
      batching: Object.freeze({
        ...DEFAULT_BATCHING,
        batchSize: read.int('CHECKPOINT_BATCH_SIZE', DEFAULT_BATCHING.batchSize, 1, 100_000),
        flushIntervalMs: read.int('CHECKPOINT_FLUSH_MS', DEFAULT_BATCHING.flushIntervalMs, 1, 60_000),
        bufferLimit: read.int('CHECKPOINT_BUFFER_LIMIT', DEFAULT_BATCHING.bufferLimit, 1, 10_000_000),
      }),
    }),
    consumer: Object.freeze({
      host: read.string('CONSUMER_HOST', '127.0.0.1'),
      port: read.int('CONSUMER_PORT', 8787, 0, 65_535),
      heartbeatIntervalMs: read.int('HEARTBEAT_INTERVAL_SECONDS', 60, 1, 86_400) * 1000,
    }),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'warn'),
  });
}
