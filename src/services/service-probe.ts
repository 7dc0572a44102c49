import { Redis } from 'ioredis';
import pg from 'pg';
import { redactUrl } from './redact-url.ts';
import { ServiceError } from './service-error.ts';

// PostgreSQL SQLSTATEs that mean "reachable, but you may not in": credentials, role or database.
const REFUSED = new Set(['28P01', '28000', '3D000']);

const describe = (error: unknown): string => {
  const e = error as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(' ') || String(error);
};

/** Connects once and runs `SELECT 1`, so a command fails in seconds, before any work, with a coded error. */
export async function probePostgres(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined); // the awaited calls below report it
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const refused = REFUSED.has((error as { code?: string }).code ?? '');
    throw new ServiceError(
      refused ? 'SERVICES_REFUSED' : 'SERVICES_UNREACHABLE',
      `PostgreSQL at ${redactUrl(url)} ${refused ? 'refused the connection' : 'cannot be reached'}: ${describe(error)}.`,
      refused
        ? 'Check the user, password and database name in DATABASE_URL or --database-url.'
        : 'Start the server or fix the host and port in DATABASE_URL or --database-url (`tickstock services` starts one).',
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects once and PINGs, without ioredis's endless reconnects, so a bad URL fails in seconds. */
export async function probeRedis(url: string, timeoutMs: number): Promise<void> {
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
    throw new ServiceError(
      refused ? 'SERVICES_REFUSED' : 'SERVICES_UNREACHABLE',
      `Redis at ${redactUrl(url)} ${refused ? 'refused the connection' : 'cannot be reached'}: ${describe(cause)}.`,
      refused
        ? 'Check the password in REDIS_URL or --redis-url.'
        : 'Start the server or fix the host and port in REDIS_URL or --redis-url (`tickstock services` starts one).',
      { cause },
    );
  } finally {
    redis.disconnect();
  }
}
