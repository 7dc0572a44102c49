import pg from 'pg';
import type { HarnessConfig } from '../config/load-config.ts';
import { requireUrl } from './cli-urls.ts';

/** A short-lived pool on --database-url or DATABASE_URL for one command; closed whatever happens. */
export async function withCliPool<T>(
  config: HarnessConfig,
  databaseUrl: string | undefined,
  work: (db: pg.Pool) => Promise<T>,
): Promise<T> {
  const db = new pg.Pool({
    connectionString: requireUrl(databaseUrl, config.services.postgresUrl, 'DATABASE_URL', '--database-url'),
    max: 3,
    connectionTimeoutMillis: 3000,
  });
  db.on('error', () => undefined); // a lost idle connection: the next query reports it
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}
