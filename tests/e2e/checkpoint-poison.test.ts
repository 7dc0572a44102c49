import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { CHECKPOINTS, INTEGRATION_EVENT_TYPES, SOURCE_SYSTEMS } from '../../src/contract/checkpoints.ts';
import { insertIntegrationEvents } from '../../src/db/integration-events.ts';
import { BatchingSink, DEFAULT_BATCHING } from '../../src/tracking/batching-sink.ts';
import type { CheckpointRecord } from '../../src/tracking/checkpoint-record.ts';
import { captureLogs } from '../support/log-capture.ts';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';

const services = useIsolatedServices();
const db = usePool(services);

const ROWS = 1000;
const row = (i: number, fields: Partial<CheckpointRecord> = {}): CheckpointRecord => ({
  at: Date.now(),
  flowId: randomUUID(),
  eventType: INTEGRATION_EVENT_TYPES.patternDetected,
  source: SOURCE_SYSTEMS.consumer,
  checkpoint: CHECKPOINTS.eventReceived,
  channel: 'tickstock.events.patterns',
  symbol: `S${i}`,
  pattern: 'Doji',
  confidence: 0.5,
  userCount: null,
  latencyMs: 1,
  details: null,
  ...fields,
});

describe('checkpoints PostgreSQL refuses as data', () => {
  test('NUL in symbol or pattern is stored scrubbed; a row refused for another reason is isolated by halves', async () => {
    const { logger } = captureLogs('warn');
    let statements = 0;
    const sink = new BatchingSink(
      (batch) => ((statements += 1), insertIntegrationEvents(db, batch)),
      logger,
      { ...DEFAULT_BATCHING, flushIntervalMs: 50 },
    );
    const refused = 'not-a-uuid'; // PostgreSQL refuses it as a uuid: nothing to scrub
    for (let i = 0; i < ROWS; i += 1)
      sink.record(
        i === 505
          ? row(i, { flowId: refused })
          : i % 10 === 0
            ? row(i, { symbol: `S\u0000${i}`, pattern: 'Do\u0000ji' })
            : row(i),
      );
    await sink.drain(20_000);
    await sink.close();

    const { rows } = await db.query<{ n: number; scrubbed: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE pattern_name = 'Do\uFFFDji' AND symbol LIKE 'S\uFFFD%')::int AS scrubbed
         FROM integration_events`,
    );
    expect(rows[0]).toEqual({ n: ROWS - 1, scrubbed: ROWS / 10 });
    expect(sink.stats()).toMatchObject({ written: ROWS - 1, refused: 1 });
    // One batch, then halves down to the refused row: ~2·log2(1000) statements, not one per row.
    expect(statements).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(ROWS)) + 1);
  });
});
