import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { withClient } from '../../src/db/checked-out-client.ts';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';
import { pollUntil } from '../support/wait-for.ts';

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
});
