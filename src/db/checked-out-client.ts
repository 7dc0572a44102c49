import type pg from 'pg';

/**
 * A client of the pool for `work`, then released. While it is checked out, a connection that ends
 * between its queries (PostgreSQL stopped) is emitted as 'error' on the client, and unhandled that
 * ends the process (seen: the consumer died in an outage). Here it only marks the client as broken, so
 * it is destroyed on release, and `work`'s next query fails as any query would.
 */
export async function withClient<T>(db: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** `work` in one transaction on one client: committed, or rolled back on any error (then rethrown). */
export function inTransaction<T>(db: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(db, async (client) => {
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
