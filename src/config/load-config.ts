import { tmpdir } from 'node:os';
import type { BrowserOptions } from '../services/headless-browser.ts';
import { parseClusterTarget, type ClusterTarget } from '../services/cluster-target.ts';
import { SERVICE_MODES, type ServicesConfig } from '../services/services-config.ts';
import { EnvReader, type Env } from './env-reader.ts';
import { LOG_LEVELS, type LogLevel } from '../shared/log-levels.ts';
import { DEFAULT_BATCHING } from '../tracking/batching-sink.ts';
import { DEFAULT_THRESHOLDS, type AlertThresholds } from '../consumer/errors/alert-rules.ts';
import type { FileLogOptions } from '../consumer/errors/error-file-log.ts';
import { DEFAULT_ERROR_STORE } from '../consumer/errors/error-store.ts';
import { DEFAULT_CONSUMER } from '../consumer/consumer-options.ts';
import type { ConsumerShard } from '../consumer/consumer-shard.ts';
import { TRACKING_SINKS, type TrackingOptions } from '../consumer/tracking-sink.ts';

export interface EventsConfig {
  readonly retentionDays: number;
  /** Local time of the daily cleanup, HH:MM. */
  readonly cleanupAt: { readonly hour: number; readonly minute: number };
  readonly cleanupBatchSize: number;
}

export interface ConsumerConfig {
  readonly host: string;
  readonly port: number;
  readonly heartbeatIntervalMs: number;
  readonly rejectedCheckpointsPerSecond: number;
  /** How long a start keeps trying to reach PostgreSQL and Redis and to subscribe. */
  readonly startRetryMs: number;
  /** How long a stop waits for unwritten errors and checkpoints before spilling them. */
  readonly stopTimeoutMs: number;
  /** CONSUMER_SHARD: this consumer's share of a group that splits the messages and shares its clients. */
  readonly shard: ConsumerShard | undefined;
}

export interface ErrorsConfig {
  readonly fileLog: FileLogOptions;
  readonly spillPath: string;
  readonly memoryLimit: number;
  readonly broadcastPerSecond: number;
  readonly thresholds: AlertThresholds;
  readonly adminToken: string | undefined;
  readonly apiCacheMs: number;
}

export interface HarnessConfig {
  readonly services: ServicesConfig;
  readonly tracking: TrackingOptions;
  readonly consumer: ConsumerConfig;
  readonly errors: ErrorsConfig;
  readonly events: EventsConfig;
  /** The headless Chromium of `run --browsers` and the browser tests. */
  readonly browser: BrowserOptions;
  readonly logLevel: LogLevel;
}

const POSTGRES_PROTOCOLS = ['postgres:', 'postgresql:'];
const REDIS_PROTOCOLS = ['redis:', 'rediss:'];

function readServices(read: EnvReader, env: Env): ServicesConfig {
  return Object.freeze({
    mode: read.oneOf('HARNESS_SERVICES', SERVICE_MODES, 'auto'),
    postgresUrl: read.url(['TEST_DATABASE_URL', 'DATABASE_URL'], POSTGRES_PROTOCOLS),
    redisUrl: read.url(['TEST_REDIS_URL', 'REDIS_URL'], REDIS_PROTOCOLS),
    redisCluster: read.parsed<ClusterTarget>('REDIS_CLUSTER_NODES', parseClusterTarget),
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

function readErrors(read: EnvReader): ErrorsConfig {
  const t = DEFAULT_THRESHOLDS;
  return Object.freeze({
    fileLog: Object.freeze({
      enabled: read.boolean('LOG_FILE_ENABLED', false),
      path: read.string('LOG_FILE_PATH', 'logs/tickstock_errors.log'),
      maxSize: read.int('LOG_FILE_MAX_SIZE', 10_485_760, 1024, 2 ** 40),
      backupCount: read.int('LOG_FILE_BACKUP_COUNT', 5, 1, 1000),
    }),
    spillPath: read.string('ERROR_SPILL_PATH', '.tickstock/error-spill.jsonl'),
    memoryLimit: read.int('ERROR_MEMORY_LIMIT', DEFAULT_ERROR_STORE.memoryLimit, 1, 10_000_000),
    broadcastPerSecond: read.int('ERROR_BROADCAST_PER_SECOND', 10, 1, 10_000),
    thresholds: Object.freeze({
      ...t,
      errorsPerMinute: read.int('ALERT_ERRORS_PER_MINUTE', t.errorsPerMinute, 0, 1_000_000),
      perCategory: read.int('ALERT_ERRORS_PER_CATEGORY', t.perCategory, 0, 1_000_000),
      patternFailuresPerSymbol: read.int(
        'ALERT_PATTERN_FAILURES_PER_SYMBOL',
        t.patternFailuresPerSymbol,
        0,
        1_000_000,
      ),
    }),
    adminToken: read.raw('HARNESS_ADMIN_TOKEN'),
    apiCacheMs: read.int('ERROR_API_CACHE_MS', 250, 0, 60_000),
  });
}

/** Parses and validates the whole configuration once; every bad key is reported in one error. */
export function loadConfig(env: Env = process.env): HarnessConfig {
  const read = new EnvReader(env);
  const services = readServices(read, env);
  return read.finish({
    services,
    tracking: Object.freeze({
      enabled: read.boolean('ENABLE_INTEGRATION_TRACKING', true),
      sink: read.oneOf('TRACKING_SINK', TRACKING_SINKS, 'integration_events'),
      batching: Object.freeze({
        ...DEFAULT_BATCHING,
        batchSize: read.int('CHECKPOINT_BATCH_SIZE', DEFAULT_BATCHING.batchSize, 1, 100_000),
        flushIntervalMs: read.int('CHECKPOINT_FLUSH_MS', DEFAULT_BATCHING.flushIntervalMs, 1, 60_000),
        bufferLimit: read.int('CHECKPOINT_BUFFER_LIMIT', DEFAULT_BATCHING.bufferLimit, 1, 10_000_000),
      }),
      spillPath: read.string('CHECKPOINT_SPILL_PATH', '.tickstock/checkpoint-spill.jsonl'),
    }),
    consumer: Object.freeze({
      host: read.string('CONSUMER_HOST', '127.0.0.1'),
      port: read.int('CONSUMER_PORT', 8787, 0, 65_535),
      heartbeatIntervalMs: read.int('HEARTBEAT_INTERVAL_SECONDS', 60, 1, 86_400) * 1000,
      rejectedCheckpointsPerSecond: read.int('REJECTED_CHECKPOINTS_PER_SECOND', 100, 0, 1_000_000),
      startRetryMs: read.int('CONSUMER_START_RETRY_MS', DEFAULT_CONSUMER.startRetryMs, 0, 600_000),
      stopTimeoutMs: read.int('CONSUMER_STOP_TIMEOUT_MS', DEFAULT_CONSUMER.closeTimeoutMs, 0, 600_000),
      shard: read.share('CONSUMER_SHARD', 64),
    }),
    errors: readErrors(read),
    events: Object.freeze({
      retentionDays: read.int('EVENTS_RETENTION_DAYS', 90, 1, 36_500),
      cleanupAt: read.clockTime('EVENTS_CLEANUP_AT', { hour: 2, minute: 0 }),
      cleanupBatchSize: read.int('EVENTS_CLEANUP_BATCH', 5000, 1, 1_000_000),
    }),
    browser: Object.freeze({ chromiumPath: read.raw('CHROMIUM_PATH'), cacheDir: services.tmpDir }),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'warn'),
  });
}
