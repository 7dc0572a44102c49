import { RunReport } from '../contract/schemas/run-report.ts';
import { RunUsageError } from './run-error.ts';
import { schemaAjv, schemaErrorLine } from './schema-errors.ts';
import { lazy } from '../shared/lazy.ts';

const reportCheck = lazy(() => schemaAjv.compile<RunReport>(RunReport));
const RUN_REPORT_SCHEMA: RunReport['schema'] = 'tickstock-run/1';

// A union's every branch adds its own errors: past these many, more lines only hide the first ones.
const LINES_SHOWN = 8;

const badBaseline = (file: string, what: string) =>
  new RunUsageError(
    'RUN_BASELINE',
    `--baseline ${file}: ${what}`,
    'Point --baseline at a JSON report an earlier run wrote with --out json=FILE (schema contract/schemas/run-report.schema.json).',
  );

/** An earlier run's JSON report, checked against its schema; anything else is a usage error (exit 2). */
export function parseBaselineReport(text: string, file: string): RunReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw badBaseline(file, `not JSON (${(error as Error).message})`);
  }
  const validReport = reportCheck();
  if (validReport(data)) return data;
  // Another kind of file, or another version of the report: that alone is the news, not its every key.
  const schema = (data as { schema?: unknown } | null)?.schema;
  if (schema !== RUN_REPORT_SCHEMA) {
    const seen = schema === undefined ? 'missing' : JSON.stringify(schema);
    throw badBaseline(file, `not a tickstock run report ("schema" is ${seen}, not "${RUN_REPORT_SCHEMA}")`);
  }
  const lines = [...new Set((validReport.errors ?? []).map(schemaErrorLine))];
  const shown = lines.slice(0, LINES_SHOWN).map((l) => `  ${l}`);
  if (lines.length > LINES_SHOWN) shown.push(`  … and ${lines.length - LINES_SHOWN} more`);
  throw badBaseline(file, `not a tickstock run report:\n${shown.join('\n')}`);
}
