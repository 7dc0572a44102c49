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
  return pool;
}
