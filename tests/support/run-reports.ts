import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import { RunReport } from '../../src/contract/schemas/run-report.ts';
import { runCli, type CliRun } from './run-cli.ts';

const validReport = new Ajv().compile<RunReport>(RunReport);

/** The JSON report, checked against its published schema (contract/schemas/run-report.schema.json). */
export async function readRunReport(path: string): Promise<RunReport> {
  const body: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!validReport(body))
    expect.fail(`${path} does not match its schema: ${JSON.stringify(validReport.errors)}`);
  return body;
}

/** `tickstock run` against a consumer at `url`, its JSON and JUnit reports written into `dir`. */
export function runAgainst(
  url: string,
  args: readonly string[],
  at: { readonly dir: string; readonly redisUrl: string; readonly databaseUrl: string },
): { run: CliRun; json: string; junit: string } {
  const name = `run-${process.hrtime.bigint()}`;
  const json = join(at.dir, `${name}.json`);
  const junit = join(at.dir, `${name}.xml`);
  const run = runCli(['run', '--socketio-url', url, '--out', `json=${json}`, '--junit', junit, ...args], {
    REDIS_URL: at.redisUrl,
    DATABASE_URL: at.databaseUrl,
  });
  return { run, json, junit };
}
