import { Redis } from 'ioredis';
import pg from 'pg';
import { isPostgresRefusal } from './postgres-refusal.ts';
import { redactUrl } from './redact-url.ts';
import { ServiceError } from './service-error.ts';

/** How long a command waits for a server to answer before it says so (exit 3). */
export const PROBE_TIMEOUT_MS = 3000;

const describe = (error: unknown): string => {
  const e = error as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(' ') || String(error);
};

interface ProbeHints {
  readonly refused: string;
  readonly unreachable: string;
}

function probeFailure(service: string, url: string, cause: unknown, refused: boolean, hints: ProbeHints) {
  return new ServiceError(
    refused ? 'SERVICES_REFUSED' : 'SERVICES_UNREACHABLE',
    `${service} at ${redactUrl(url)} ${refused ? 'refused the connection' : 'cannot be reached'}: ${describe(cause)}.`,
    refused ? hints.refused : hints.unreachable,
    { cause },
  );
}

/** Connects once and runs `SELECT 1`, so a command fails in seconds, before any work, with a coded error. */
export async function probePostgres(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined); // the awaited calls below report it
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw probeFailure('PostgreSQL', url, error, isPostgresRefusal(error), {
      refused: 'Check the user, password and database name in DATABASE_URL or --database-url.',
      unreachable:
        'Start the server or fix the host and port in DATABASE_URL or --database-url (`tickstock services` starts one).',
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects once and PINGs, without ioredis's endless reconnects, so a bad URL fails in seconds. */
export async function probeRedis(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    // ioredis otherwise keeps a failed probe's process alive 2 s waiting for a socket that never was.
    disconnectTimeout: 0,
  });
  let last: unknown;
  redis.on('error', (error) => (last = error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const cause = last ?? error;
    const refused = /WRONGPASS|NOAUTH|NOPERM|invalid password/i.test(describe(cause));
    throw probeFailure('Redis', url, cause, refused, {
      refused: 'Check the password in REDIS_URL or --redis-url.',
      unreachable:
        'Start the server or fix the host and port in REDIS_URL or --redis-url (`tickstock services` starts one).',
    });
  } finally {
    redis.disconnect();
  }
}
