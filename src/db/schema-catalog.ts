import type pg from 'pg';

type Columns = Readonly<Record<string, string>>;

const VARCHAR = 'character varying';
const TSTZ = 'timestamp with time zone';

/** Every schema object the specs name, with column types as information_schema reports them. */
export const SCHEMA_CATALOG = {
  tables: {
    integration_events: {
      id: 'integer',
      flow_id: 'uuid',
      timestamp: TSTZ,
      event_type: VARCHAR,
      source_system: VARCHAR,
      checkpoint: VARCHAR,
      channel: VARCHAR,
      symbol: VARCHAR,
      pattern_name: VARCHAR,
      confidence: 'numeric',
      user_count: 'integer',
      details: 'jsonb',
      latency_ms: 'numeric',
      created_at: TSTZ,
    },
    error_logs: {
      id: 'uuid',
      error_id: VARCHAR,
      error_type: VARCHAR,
      error_message: 'text',
      error_traceback: 'text',
      severity: VARCHAR,
      category: VARCHAR,
      component: VARCHAR,
      operation: VARCHAR,
      symbol: VARCHAR,
      context: 'jsonb',
      timestamp: TSTZ,
      created_at: TSTZ,
    },
    error_counts_hourly: { hour: TSTZ, severity: VARCHAR, category: VARCHAR, count: 'bigint' },
    events: {
      id: 'integer',
      channel: VARCHAR,
      event_type: VARCHAR,
      source: VARCHAR,
      correlation_id: 'uuid',
      data: 'jsonb',
      created_at: TSTZ,
    },
  } satisfies Record<string, Columns>,
  views: {
    pattern_flow_analysis: {
      flow_id: 'uuid',
      start_time: TSTZ,
      end_time: TSTZ,
      total_latency_ms: 'numeric',
      symbol: VARCHAR,
      pattern_name: VARCHAR,
      confidence: 'numeric',
      users_notified: 'integer',
      checkpoints_logged: 'bigint',
      flow_path: 'ARRAY',
    },
  } satisfies Record<string, Columns>,
  functions: {
    log_integration_event:
      'uuid, character varying, character varying, character varying, character varying, character varying, character varying, numeric, integer, jsonb',
  },
  indexes: {
    integration_events: [
      'idx_integration_events_flow_id',
      'idx_integration_events_timestamp',
      'idx_integration_events_checkpoint',
      'idx_integration_events_source_system',
    ],
    error_logs: [
      'error_logs_error_id_key',
      'idx_error_logs_timestamp',
      'idx_error_logs_severity',
      'idx_error_logs_category',
      'idx_error_logs_symbol',
      'idx_error_logs_error_type',
      'idx_error_logs_recent_critical',
    ],
    events: [
      'idx_events_channel',
      'idx_events_event_type',
      'idx_events_source',
      'idx_events_correlation_id',
      'idx_events_created_at',
      'idx_events_data_gin',
    ],
  },
} as const;

/** What the database lacks or has differently from the catalog, one line each (empty when it matches). */
export async function schemaDifferences(client: pg.ClientBase): Promise<string[]> {
  const problems: string[] = [];
  const relations = { ...SCHEMA_CATALOG.tables, ...SCHEMA_CATALOG.views } as Record<string, Columns>;
  const { rows: cols } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ANY($1)`,
    [Object.keys(relations)],
  );
  for (const [table, columns] of Object.entries(relations)) {
    for (const [column, type] of Object.entries(columns)) {
      const found = cols.find((c) => c.table_name === table && c.column_name === column);
      if (found === undefined) problems.push(`missing column ${table}.${column}`);
      else if (found.data_type !== type)
        problems.push(`${table}.${column} is ${found.data_type}, expected ${type}`);
    }
  }
  const { rows: views } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()`,
  );
  for (const view of Object.keys(SCHEMA_CATALOG.views))
    if (!views.some((v) => v.table_name === view)) problems.push(`missing view ${view}`);
  const { rows: fns } = await client.query<{ proname: string; args: string }>(
    `SELECT proname, pg_get_function_identity_arguments(oid) AS args FROM pg_proc
      WHERE pronamespace = current_schema()::regnamespace`,
  );
  for (const [name, args] of Object.entries(SCHEMA_CATALOG.functions)) {
    const signature = fns.filter((f) => f.proname === name).map((f) => f.args.replace(/p_\w+ /g, ''));
    if (!signature.includes(args)) problems.push(`missing function ${name}(${args})`);
  }
  const { rows: idx } = await client.query<{ tablename: string; indexname: string }>(
    `SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema()`,
  );
  for (const [table, names] of Object.entries(SCHEMA_CATALOG.indexes))
    for (const name of names)
      if (!idx.some((i) => i.tablename === table && i.indexname === name))
        problems.push(`missing index ${table}.${name}`);
  return problems;
}
