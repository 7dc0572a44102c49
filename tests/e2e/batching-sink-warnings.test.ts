import { afterEach, describe, expect, test } from 'vitest';
import { CHECKPOINTS, INTEGRATION_EVENT_TYPES, SOURCE_SYSTEMS } from '../../src/contract/checkpoints.ts';
import type { CheckpointRecord } from '../../src/tracking/checkpoint-record.ts';
import { BatchingSink, DEFAULT_BATCHING, WARNING_INTERVAL_MS } from '../../src/tracking/batching-sink.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { captureLogs } from '../support/log-capture.ts';
import { pollUntil } from '../support/wait-for.ts';

// The sink's warnings over time, on a fake clock; the writer underneath runs for real against a
// write function that fails as a database that is away does.
const row: CheckpointRecord = {
  at: 0,
  flowId: null,
  eventType: INTEGRATION_EVENT_TYPES.patternDetected,
  source: SOURCE_SYSTEMS.consumer,
  checkpoint: CHECKPOINTS.eventReceived,
  channel: null,
  symbol: null,
  pattern: null,
  confidence: null,
  userCount: null,
  latencyMs: null,
  details: null,
};
const away = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

let opened: { sink: BatchingSink; database: { up: boolean } }[] = [];
afterEach(async () => {
  for (const { database } of opened) database.up = true;
  await Promise.all(opened.map(({ sink }) => sink.close()));
  opened = [];
});

/** A sink of one row whose database is away until `up` is set. */
function sinkWithDatabaseAway() {
  const clock = new FakeClock();
  const { logger, lines } = captureLogs('warn');
  const database = { up: false };
  const sink = new BatchingSink(
    () => (database.up ? Promise.resolve() : Promise.reject(away)),
    logger,
    { ...DEFAULT_BATCHING, bufferLimit: 1, flushIntervalMs: 1, retryMinMs: 1, retryMaxMs: 5 },
    clock,
  );
  opened.push({ sink, database });
  const said = (start: string) => lines.filter((l) => String(l['msg']).startsWith(start));
  const writeFailures = async (n: number) => {
    sink.record(row);
    await pollUntil(() => sink.stats().failedWrites >= n, {
      timeoutMs: 5000,
      what: `${n} failed writes`,
      seen: () => JSON.stringify(sink.stats()),
    });
  };
  return { clock, sink, database, lines, said, writeFailures };
}

describe('checkpoint sink warnings', () => {
  test('a drop is reported at once, even right after a write failure was', async () => {
    const { sink, said, writeFailures } = sinkWithDatabaseAway();
    await writeFailures(1);
    expect(said('checkpoint write failed')).toHaveLength(1);

    sink.record(row);
    expect(sink.stats().dropped).toBe(1);
    expect(said('checkpoint buffer full')).toMatchObject([{ dropped: 1 }]);
  });

  test('drops after the first are counted and reported when the interval ends, and on close', async () => {
    const { clock, sink, database, said, writeFailures } = sinkWithDatabaseAway();
    await writeFailures(1);
    for (let i = 0; i < 5; i += 1) sink.record(row);
    expect(said('checkpoint buffer full')).toHaveLength(1);

    clock.advance(WARNING_INTERVAL_MS - 1);
    expect(said('checkpoint buffer full')).toHaveLength(1);
    clock.advance(1);
    expect(said('checkpoint buffer full')[1]).toMatchObject({ dropped: 5 });
    expect(said('checkpoint buffer full')[1]?.['msg']).toContain('(4 more since the last report)');

    sink.record(row);
    sink.record(row);
    database.up = true;
    await sink.close();
    expect(said('checkpoint buffer full')[2]).toMatchObject({ dropped: 7 });
    expect(said('checkpoint buffer full')[2]?.['msg']).toContain('(2 more since the last report)');
    expect(clock.pending()).toBe(0);
  });

  test('a long outage says "write failed" once per interval, with the count held back', async () => {
    const { clock, said, writeFailures } = sinkWithDatabaseAway();
    await writeFailures(3);
    expect(said('checkpoint write failed')).toHaveLength(1);

    clock.advance(WARNING_INTERVAL_MS);
    expect(said('checkpoint write failed')).toHaveLength(2);
    expect(said('checkpoint write failed')[1]?.['msg']).toMatch(/\(\d+ more since the last report\)$/);
  });
});
