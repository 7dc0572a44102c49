import { join } from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { HarnessError } from '../errors/harness-error.ts';
import { PACKAGE_ROOT } from '../shared/package-root.ts';

export const MIGRATIONS_DIR = join(PACKAGE_ROOT, 'src/db/migrations');
export const MIGRATIONS_TABLE = 'harness_migrations';

export interface MigrationResult {
  /** Names of the migrations this call applied (empty when the schema was current). */
  readonly applied: readonly string[];
}

/**
 * Brings a database to the current schema with node-pg-migrate (versions in `harness_migrations`,
 * an advisory lock against concurrent runs). Applying twice changes nothing.
 */
export async function migrate(
  databaseUrl: string,
  log: (line: string) => void = () => undefined,
): Promise<MigrationResult> {
  // Our own client: node-pg-migrate does not wait for the connection it opens to close, and a server
  // stopped right after (an outage test) would then hit a connection nobody listens to.
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const applied = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      migrationsTable: MIGRATIONS_TABLE,
      direction: 'up',
      checkOrder: true,
      singleTransaction: true,
      log,
      verbose: false,
    });
    return { applied: applied.map((m) => m.name) };
  } catch (error) {
    throw new HarnessError(
      'DB_MIGRATION_FAILED',
      `Migrating the database failed: ${(error as Error).message}`,
      'Check that DATABASE_URL points at a PostgreSQL ≥ 13 where this user may create tables and functions.',
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
