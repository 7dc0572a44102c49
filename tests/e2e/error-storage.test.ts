import { existsSync, readFileSync } from 'node:fs';
import { runTempDir } from '../support/temp-dir.ts';
import { join } from 'node:path';
import { DEFAULT_ERROR_STORE, type ErrorStoreOptions } from '../../src/consumer/errors/error-store.ts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Alert, ClientError } from '../../src/contract/schemas/client-payloads.ts';
import { collect, errorMessage, publishError } from '../support/error-messages.ts';
import { startFlowRig } from '../support/flow-rig.ts';
import { ownServices, type Controllable } from '../support/own-services.ts';
import { pollUntil } from '../support/wait-for.ts';

const own = ownServices();
let postgres: Controllable;
let redisServer: Controllable;
let db: pg.Pool;
beforeAll(async () => {
  [postgres, redisServer] = await Promise.all([own.postgres(), own.redis()]);
  db = new pg.Pool({ connectionString: postgres.url, max: 2 });
  db.on('error', () => undefined);
});
afterAll(() => db.end());
const urls = () => ({ databaseUrl: postgres.url, redisUrl: redisServer.url });

const rowsFor = async (ids: readonly string[]) => {
  const { rows } = await db.query<{ n: string; distinct: string }>(
    'SELECT count(*) AS n, count(DISTINCT error_id) AS distinct FROM error_logs WHERE error_id = ANY($1)',
    [ids],
  );
  return { n: Number(rows[0]!.n), distinct: Number(rows[0]!.distinct) };
};

describe('zero loss of error and critical messages', () => {
  test('PostgreSQL stopped during a burst of 1,000: all 1,000 rows once it returns, none twice', async () => {
    const rig = await startFlowRig(urls(), {
      errors: { store: { ...(await defaultStore()), memoryLimit: 100 }, broadcastPerSecond: 10_000 },
    });
    try {
      const monitor = await rig.monitor();
      const alerts = collect<Alert>(monitor, 'alert');
      const burst = Array.from({ length: 1000 }, (_, i) =>
        errorMessage({ severity: i % 7 === 0 ? 'critical' : 'error', category: 'network' }),
      );
      for (const m of burst.slice(0, 200)) await publishError(rig.redis, m);
      await postgres.control.stop();
      for (const m of burst.slice(200)) await publishError(rig.redis, m);
      await pollUntil(
        () =>
          rig.consumer.health().errors.bySeverity.error + rig.consumer.health().errors.bySeverity.critical ===
          1000,
        {
          timeoutMs: 10_000,
          what: 'the consumer to take all 1,000',
        },
      );
      await pollUntil(() => (rig.consumer.health().errors.storage?.spilled ?? 0) > 0, {
        timeoutMs: 5000,
        what: 'errors spilled to the file',
      });
      await pollUntil(
        () =>
          alerts.some((a) => a.rule === 'database_error' && /error_logs cannot be written/.test(a.message)),
        {
          timeoutMs: 5000,
          what: "the consumer's own database_error alert",
        },
      );
      await postgres.control.start();
      await pollUntil(async () => (await rowsFor(burst.map((m) => m.error_id))).n === 1000, {
        timeoutMs: 20_000,
        what: 'all 1,000 rows',
        seen: async () => JSON.stringify(await rowsFor(burst.map((m) => m.error_id))),
      });
      expect(await rowsFor(burst.map((m) => m.error_id))).toEqual({ n: 1000, distinct: 1000 });
      // Written in arrival order: each row's commit time is no earlier than the one published before it.
      const { rows: written } = await db.query<{ error_id: string; created_at: Date }>(
        'SELECT error_id, created_at FROM error_logs WHERE error_id = ANY($1)',
        [burst.map((m) => m.error_id)],
      );
      const at = new Map(written.map((r) => [r.error_id, r.created_at.getTime()]));
      const times = burst.map((m) => at.get(m.error_id)!);
      const outOfOrder = times.filter((t, i) => i > 0 && t < times[i - 1]!).length;
      expect(outOfOrder).toBe(0);
      expect(rig.consumer.health().errors.storage).toMatchObject({ inMemory: 0, spilled: 0, stored: 1000 });
    } finally {
      await postgres.control.start();
      await rig.close();
    }
  });

  test('a consumer stopped with unwritten errors keeps them in its spill file; the next start writes them', async () => {
    const store = await defaultStore();
    const first = await startFlowRig(urls(), { errors: { store } });
    const batch = Array.from({ length: 300 }, () =>
      errorMessage({ severity: 'error', category: 'database' }),
    );
    try {
      const monitored = collect<ClientError>(await first.monitor(), 'tickstock_error');
      await postgres.control.stop();
      for (const m of batch) await publishError(first.redis, m);
      await pollUntil(() => monitored.reduce((n, e) => n + (e.count ?? 1), 0) >= 300, {
        timeoutMs: 10_000,
        what: '300 broadcasts',
      });
      await first.consumer.close();
      expect(existsSync(store.spillPath), JSON.stringify(first.consumer.health().errors)).toBe(true);
      expect(readFileSync(store.spillPath, 'utf8').trim().split('\n')).toHaveLength(300);
    } finally {
      await first.close();
      await postgres.control.start();
    }
    const second = await startFlowRig(urls(), { errors: { store } });
    try {
      await pollUntil(async () => (await rowsFor(batch.map((m) => m.error_id))).n === 300, {
        timeoutMs: 20_000,
        what: 'the spilled 300 rows',
      });
      expect(await rowsFor(batch.map((m) => m.error_id))).toEqual({ n: 300, distinct: 300 });
      await pollUntil(() => !existsSync(store.spillPath), {
        timeoutMs: 5000,
        what: 'the spill file to be removed',
      });
    } finally {
      await second.close();
    }
  });
});

async function defaultStore(): Promise<ErrorStoreOptions> {
  const dir = await runTempDir('spill-');
  return { ...DEFAULT_ERROR_STORE, spillPath: join(dir, 'errors.jsonl'), retryMinMs: 50, retryMaxMs: 200 };
}
