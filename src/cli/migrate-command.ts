import type { HarnessConfig } from '../config/load-config.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { migrate } from '../db/migrate.ts';
import { redactUrl } from '../services/redact-url.ts';

/** Migrates the database DATABASE_URL names (a staging database, say); safe to repeat. */
export async function migrateCommand(config: HarnessConfig): Promise<void> {
  const url = config.services.postgresUrl;
  if (url === undefined)
    throw new HarnessError(
      'CLI_DATABASE_URL_MISSING',
      'tickstock db migrate needs a database.',
      'Set DATABASE_URL to it.',
    );
  const result = await migrate(url);
  console.log(
    `${redactUrl(url)}: ${result.applied.length === 0 ? 'schema current, nothing applied' : `applied ${result.applied.join(', ')}`}`,
  );
}
