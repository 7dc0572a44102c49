import pg from 'pg';
import type { Logger } from '../shared/logger.ts';

export interface PoolOptions {
  readonly max: number;
  /**
   * Commit without waiting for the WAL flush. For diagnostic rows (checkpoints): a server crash may
   * lose the last few hundred milliseconds of them, and each write no longer waits on the disk.
   */
  readonly asyncCommit: boolean;
  readonly applicationName: string;
}

/**
 * Every connection of `pool` listened to for 'error' from the moment it connects. pg emits a connection
 * that ends (PostgreSQL stopped: 57P01) as 'error' on its client, and pg-pool listens only while the
 * client is idle: a client checked out by anyone who does not listen would end the process (seen: the
 * consumer died in an outage, 1 test run in about 55). A broken client is no longer queryable, so the
 * pool discards it on release; its queries fail on their own.
 */
export function listenOnEveryClient(pool: pg.Pool): pg.Pool {
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** A pool whose idle-connection errors (a restarting server) are logged, never thrown. */
export function createPool(url: string, options: PoolOptions, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5000,
    ...(options.asyncCommit ? { options: '-c synchronous_commit=off' } : {}),
  });
  // Once ending, end() resolves before the sockets close: a server stopped right after is no news.
  pool.on('error', (error) => {
    if (!pool.ending) logger.warn({ err: error.message }, 'database connection lost; it will be replaced');
  });
  return listenOnEveryClient(pool);
}
