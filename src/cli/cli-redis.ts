import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../shared/logger.ts';

/**
 * A Redis client for a command, after its URL was probed: connection errors while it runs are
 * logged once per kind (ioredis reconnects by itself) instead of as endless unhandled stacks.
 */
export function connectRedis(url: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, options);
  const seen = new Set<string>();
  redis.on('error', (error: Error) => {
    if (seen.has(error.message)) return;
    seen.add(error.message);
    logger.warn({ err: error.message }, 'Redis connection error; reconnecting');
  });
  return redis;
}
