import type { ClusterTarget } from './cluster-target.ts';

export const SERVICE_MODES = ['auto', 'external', 'containers', 'local'] as const;
export type ServiceMode = (typeof SERVICE_MODES)[number];

/** How the provider finds or starts PostgreSQL and Redis. */
export interface ServicesConfig {
  readonly mode: ServiceMode;
  /** Given URLs (DATABASE_URL / REDIS_URL or their TEST_ variants): used as they are. */
  readonly postgresUrl: string | undefined;
  readonly redisUrl: string | undefined;
  /** REDIS_CLUSTER_NODES: pub-sub goes sharded over this Redis Cluster instead of REDIS_URL. */
  readonly redisCluster: ClusterTarget | undefined;
  readonly postgresImage: string;
  readonly redisImage: string;
  /** DOCKER_HOST when set; otherwise the default socket is probed. */
  readonly dockerHost: string | undefined;
  readonly runtimeProbeMs: number;
  readonly startTimeoutMs: number;
  /** Where to look for initdb/postgres; otherwise PATH, then /usr/lib/postgresql/<newest>/bin. */
  readonly postgresBinDir: string | undefined;
  readonly redisServerPath: string | undefined;
  /** The PATH used to find binaries. */
  readonly searchPath: string;
  /** Local PostgreSQL with its durable defaults (fsync on) instead of test speed: for benchmarks. */
  readonly postgresDurable: boolean;
  readonly tmpDir: string;
}
