import { describe, expect, inject, test } from 'vitest';
import { schemaDifferences } from '../../src/db/schema-catalog.ts';
import {
  DROP_TRACKING_SQL,
  dropTracking,
  preRemovalChecks,
  restoreTracking,
  trackingObjects,
} from '../../src/db/tracking-removal.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import { LogSink } from '../../src/tracking/log-sink.ts';
import { startFlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';
import { runCli } from '../support/run-cli.ts';
import { withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
const seed = inject('seed');
const db = usePool(services);

const counts = async () => {
  const { rows } = await db.query<{ events: string; integration: string | null }>(
    `SELECT (SELECT count(*) FROM events) AS events,
            (SELECT count(*) FROM integration_events) AS integration`,
  );
  return rows[0]!;
};

describe('tracking off', () => {
  test('leaves integration_events and events untouched while the flow still reaches browsers', async () => {
    const before = await counts();
    const rig = await startFlowRig(services, { sink: (logger) => new LogSink(logger) });
    try {
      const browser = await rig.browser();
      for (let i = 0; i < 3; i += 1) await rig.deliverOne(browser, seededRandom(seed + i));
      expect(rig.lines.filter((l) => l['msg'] === 'pattern.flow' && l['flow_id'] !== null)).toHaveLength(9);
    } finally {
      await rig.close();
    }
    expect(await counts()).toEqual(before);
  });
});

describe('removing integration tracking (spec 002) and putting it back', () => {
  test('pre-removal checks of Phase 1, drops of Phase 3 in order, verification queries, then restore', async () => {
    // Something to count first: a full flow recorded the spec 001 way.
    const rig = await startFlowRig(services);
    try {
      await rig.deliverOne(await rig.browser(), seededRandom(seed + 10), db);
      await rig.sink.drain(5000);
    } finally {
      await rig.close();
    }
    const checks = await preRemovalChecks(db);
    expect(checks.totalEvents).toBeGreaterThanOrEqual(4);
    expect(checks.uniqueFlows).toBeGreaterThanOrEqual(1);
    expect(checks.lastEvent).toBeInstanceOf(Date);
    expect(checks.tableSize).toMatch(/^\d+ (bytes|kB|MB)$/);

    expect(DROP_TRACKING_SQL.map((s) => s.split(' ')[1])).toEqual(['FUNCTION', 'VIEW', 'TABLE']);
    await dropTracking(db);
    // Spec 002's verification queries: the EXISTS query is false; \dt and \df find nothing.
    expect(await trackingObjects(db)).toEqual({
      tableExists: false,
      viewExists: false,
      functionExists: false,
    });
    const { rows: dt } = await db.query(`SELECT 1 FROM pg_tables WHERE tablename = 'integration_events'`);
    const { rows: df } = await db.query(`SELECT 1 FROM pg_proc WHERE proname = 'log_integration_event'`);
    expect([dt.length, df.length]).toEqual([0, 0]);

    // With the objects gone, producer and consumer run with tracking off.
    const off = await startFlowRig(services, { sink: (logger) => new LogSink(logger) });
    try {
      const browser = await off.browser();
      const event = await off.deliverOne(browser, seededRandom(seed + 11));
      expect(event.data.flow_id).toMatch(/^[0-9a-f-]{36}$/);
      const once = await publishOnce({
        redis: off.redis,
        db: undefined,
        clock: systemClock,
        random: seededRandom(seed + 12),
      });
      expect(once.recorded).toBe(false);
      expect(off.lines.filter((l) => Number(l['level']) >= 50)).toEqual([]);
    } finally {
      await off.close();
    }

    await restoreTracking(db);
    expect(await trackingObjects(db)).toEqual({ tableExists: true, viewExists: true, functionExists: true });
    const client = await db.connect();
    try {
      expect(await schemaDifferences(client)).toEqual([]);
    } finally {
      client.release();
    }
    const { rows } = await db.query<{ id: number }>(
      `SELECT log_integration_event($1, 'pattern_detected', 'TickStockPL', 'PATTERN_PUBLISHED', 'tickstock.events.patterns', 'AAPL', 'X', 0.9, NULL, '{}') AS id`,
      [seededRandom(seed).uuid()],
    );
    expect(rows[0]!.id).toBeGreaterThan(0);
  });

  test('the CLI prints the checks, refuses without --yes, drops with it, restores', async () => {
    const env = { DATABASE_URL: services.databaseUrl };
    const refused = runCli(['db', 'drop-tracking'], env);
    expect(await withDeadline(refused.exited, 20_000, 'drop-tracking')).toBe(2);
    expect(refused.output()).toMatch(
      /integration_events: \d+ events, last .*, \d+ distinct flows, \d+ (bytes|kB)[\s\S]*CLI_CONFIRM/,
    );
    expect((await trackingObjects(db)).tableExists).toBe(true);
    const dropped = runCli(['db', 'drop-tracking', '--yes'], env);
    expect(await withDeadline(dropped.exited, 20_000, 'drop-tracking --yes')).toBe(0);
    expect(dropped.output()).toMatch(
      /dropped: log_integration_event\(\) gone, pattern_flow_analysis gone, integration_events gone/,
    );
    const restored = runCli(['db', 'restore-tracking'], env);
    expect(await withDeadline(restored.exited, 20_000, 'restore-tracking')).toBe(0);
    expect(await trackingObjects(db)).toEqual({ tableExists: true, viewExists: true, functionExists: true });
  });
});
