import { CommanderError } from 'commander';
import { ExitCode } from '../errors/exit-codes.ts';
import { isHarnessError } from '../errors/harness-error.ts';
import { isPostgresRefusal } from '../services/postgres-refusal.ts';

/** Exit 70 (sysexits' EX_SOFTWARE): an error nobody raised on purpose is a bug, never "found problems". */
export const INTERNAL_ERROR_EXIT = 70;

// Errors that escaped a command but whose cause is plain: a server we could not reach or enter.
const SERVICE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);
const MISSING_SCHEMA_SQLSTATES = new Set(['42P01', '42883']);

const COMMANDER_OK = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** Prints why a command stopped, once, in words, and returns its exit code (README "Exit codes"). */
export function reportFailure(error: unknown, write: (line: string) => void): number {
  // Commander has printed its own message (unknown option, bad number, missing argument).
  if (error instanceof CommanderError) return COMMANDER_OK.has(error.code) ? ExitCode.ok : ExitCode.usage;
  if (isHarnessError(error)) {
    write(`tickstock: [${error.code}] ${error.message}`);
    return error.exitCode;
  }
  const { code = '', message = String(error) } = error as { code?: string; message?: string };
  if (SERVICE_CODES.has(code) || isPostgresRefusal(error)) {
    write(
      `tickstock: [SERVICES_UNREACHABLE] A service could not be reached or refused us: ${code} ${message}`,
    );
    write(
      '  → Check the URL (--redis-url / --database-url, REDIS_URL / DATABASE_URL) and that the server runs.',
    );
    return ExitCode.service;
  }
  if (MISSING_SCHEMA_SQLSTATES.has(code)) {
    write(`tickstock: [SCHEMA_MISSING] The database has no TickStock schema: ${message}`);
    write('  → Run `tickstock db migrate` (or `tickstock db restore-tracking` after `db drop-tracking`).');
    return ExitCode.usage;
  }
  write('tickstock: unexpected error, a bug in the harness; please report it with this output:');
  write(error instanceof Error ? (error.stack ?? message) : message);
  return INTERNAL_ERROR_EXIT;
}
