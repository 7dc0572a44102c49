import pg from 'pg';
import type { HarnessConfig } from '../config/load-config.ts';
import { listenOnEveryClient } from '../db/pools.ts';
import { PROBE_TIMEOUT_MS, probePostgres } from '../services/service-probe.ts';
import { requireUrl } from './cli-urls.ts';

/**
 * A short-lived pool on --database-url or DATABASE_URL for one command; closed whatever happens.
 * The server is probed first, so a bad URL or password is a coded error (exit 3) before any work.
 */
export async function withCliPool<T>(
  config: HarnessConfig,
  databaseUrl: string | undefined,
  work: (db: pg.Pool) => Promise<T>,
): Promise<T> {
  const url = requireUrl(databaseUrl, config.services.postgresUrl, 'DATABASE_URL', '--database-url');
  await probePostgres(url);
  const db = listenOnEveryClient(
    new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: PROBE_TIMEOUT_MS }),
  );
  db.on('error', () => undefined); // a lost idle connection: the next query reports it
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}
