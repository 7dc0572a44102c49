import { Redis, type RedisOptions } from 'ioredis';
import { seedUrl, type ClusterTarget } from '../services/cluster-target.ts';
import type { ServicesConfig } from '../services/services-config.ts';
import { connectCluster, type PubSubClient } from '../services/pubsub-transport.ts';
import type { Logger } from '../shared/logger.ts';
import { requireUrl } from './cli-urls.ts';

/** Where a command's pub-sub goes: a Redis Cluster, sharded, else one server by URL, classic. */
export interface PubSubTarget {
  /** The server, or with `cluster` its first node (what probes connect to). */
  readonly redisUrl: string;
  readonly cluster: ClusterTarget | undefined;
}

/** --redis-cluster, else REDIS_CLUSTER_NODES (sharded); otherwise --redis-url, else REDIS_URL (classic). */
export function pubSubTarget(
  flags: { readonly redisUrl?: string | undefined; readonly redisCluster?: ClusterTarget | undefined },
  services: Pick<ServicesConfig, 'redisUrl' | 'redisCluster'>,
): PubSubTarget {
  const cluster = flags.redisCluster ?? services.redisCluster;
  if (cluster !== undefined) return { redisUrl: seedUrl(cluster), cluster };
  return { redisUrl: requireUrl(flags.redisUrl, services.redisUrl, 'REDIS_URL', '--redis-url'), cluster };
}

/**
 * A Redis client for a command, after its URL was probed: connection errors while it runs are
 * logged once per kind (ioredis reconnects by itself) instead of as endless unhandled stacks.
 */
export function connectRedis(url: string, logger: Logger, options: RedisOptions = {}): Redis {
  return logErrorsOnce(new Redis(url, options), logger);
}

/** A publishing client on the target: a Cluster client (SPUBLISH) or one server's (PUBLISH). */
export function connectPubSub(target: PubSubTarget, logger: Logger): PubSubClient {
  return target.cluster === undefined
    ? connectRedis(target.redisUrl, logger)
    : logErrorsOnce(connectCluster(target.cluster), logger);
}

function logErrorsOnce<T extends PubSubClient>(redis: T, logger: Logger): T {
  const seen = new Set<string>();
  redis.on('error', (error: Error) => {
    if (seen.has(error.message)) return;
    seen.add(error.message);
    logger.warn({ err: error.message }, 'Redis connection error; reconnecting');
  });
  return redis;
}
