import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { withClient } from '../../src/db/checked-out-client.ts';
import { createPool } from '../../src/db/pools.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
const admin = usePool(services);

describe('a client checked out of the pool', () => {
  test('its connection ended between queries: the next query fails, the process lives on, the pool recovers', async () => {
    const pool = new pg.Pool({ connectionString: services.databaseUrl, max: 1 });
    try {
      const failure = await withClient(pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // Ended from outside while the client is idle and checked out: pg emits 'error' on it.
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await pollUntil(
          async () =>
            (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [rows[0]!.pid])).rowCount ===
            0,
          { timeoutMs: 5000, what: 'the backend gone' },
        );
        return client.query('SELECT 1').then(
          () => undefined,
          (error: Error) => error,
        );
      });
      expect(failure).toBeInstanceOf(Error);
      // Released as broken: the pool's one connection is a new one, and it works.
      expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
    } finally {
      await pool.end();
    }
  });

  test("checked out by code that does not listen (not through withClient): our pools' clients are listened to from their start, so the process lives on", async () => {
    const pool = createPool(
      services.databaseUrl,
      { max: 1, asyncCommit: false, applicationName: 'checked-out-test' },
      createLogger('silent'),
    );
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      // The termination arrives as 'error' on the idle, checked-out client, then it ends; unhandled, the
      // error fails the file (as it would end a consumer).
      // (Not events.once: it would listen for 'error' itself.)
      const ended = new Promise((resolve) => client.once('end', resolve));
      await withDeadline(ended, 5000, 'the client to learn that its connection ended');
      client.release();
      expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
