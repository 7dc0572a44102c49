import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { migrate } from '../../../src/db/migrate.ts';
import { SCHEMA_CATALOG, schemaDifferences } from '../../../src/db/schema-catalog.ts';
import { createDatabase, databaseUrl, dropDatabase } from '../../../src/db/template-databases.ts';
import '../../support/provided.ts';

const provided = inject('services');
const fresh = `${provided.databasePrefix}migrations`;
let url: string;
let client: pg.Client;

beforeAll(async () => {
  await createDatabase(provided.postgresAdminUrl, fresh);
  url = databaseUrl(provided.postgresAdminUrl, fresh);
});
afterAll(async () => {
  await client?.end();
  await dropDatabase(provided.postgresAdminUrl, fresh);
});

async function snapshot(c: pg.Client): Promise<string> {
  const { rows } = await c.query(`
    SELECT string_agg(x, E'\\n' ORDER BY x) AS s FROM (
      SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type AS x FROM information_schema.columns WHERE table_schema = 'public'
      UNION ALL SELECT 'idx ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL SELECT 'fn ' || p.oid::regprocedure::text || ' ' || md5(prosrc) FROM pg_proc p WHERE pronamespace = 'public'::regnamespace
      UNION ALL SELECT 'view ' || viewname || ' ' || md5(definition) FROM pg_views WHERE schemaname = 'public'
      UNION ALL SELECT 'ver ' || name FROM harness_migrations
    ) t`);
  return (rows[0] as { s: string }).s;
}

describe('migrations', () => {
  test('a fresh database gets every migration, then every object of the specs with their columns', async () => {
    const first = await migrate(url);
    expect(first.applied).toEqual([
      '1700000000001_integration-tracking',
      '1700000000002_error-logs',
      '1700000000003_event-bus',
      '1700000000004_error-counts',
      '1700000000005_checkpoint-time-index',
    ]);
    client = new pg.Client({ connectionString: url });
    await client.connect();
    expect(await schemaDifferences(client)).toEqual([]);
  });

  test('applying again is a no-op: nothing applied, schema byte-for-byte the same', async () => {
    const before = await snapshot(client);
    const second = await migrate(url);
    expect(second.applied).toEqual([]);
    expect(await snapshot(client)).toBe(before);
  });

  test('the idempotent SQL also applies over objects that already exist (a staging database)', async () => {
    await client.query('DELETE FROM harness_migrations');
    const again = await migrate(url);
    expect(again.applied).toHaveLength(5);
    expect(await schemaDifferences(client)).toEqual([]);
  });

  test('the catalog check notices a missing object', async () => {
    await client.query('DROP INDEX idx_events_data_gin');
    expect(await schemaDifferences(client)).toEqual(['missing index events.idx_events_data_gin']);
  });

  test('the catalog names every object the issue lists', () => {
    expect(Object.keys(SCHEMA_CATALOG.tables)).toEqual([
      'integration_events',
      'error_logs',
      'error_counts_hourly',
      'events',
    ]);
    expect(Object.keys(SCHEMA_CATALOG.views)).toEqual(['pattern_flow_analysis']);
    expect(SCHEMA_CATALOG.functions.log_integration_event.split(', ')).toHaveLength(10);
  });
});
