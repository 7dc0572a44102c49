import { describe, expect, test } from 'vitest';
import { CHECKPOINTS } from '../../src/contract/checkpoints.ts';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';

const services = useIsolatedServices();
const db = usePool(services);

/** Index and table pages one read touched (EXPLAIN's buffers): how much it reads, whatever the machine's speed. */
async function pagesTouched(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{
    'QUERY PLAN': [{ Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }];
  }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
  const plan = rows[0]!['QUERY PLAN'][0].Plan;
  return plan['Shared Hit Blocks'] + plan['Shared Read Blocks'];
}

describe("the dashboard's once-a-second reads stay small as integration_events grows", () => {
  test('the newest heartbeat and the newest rejections: a few index pages, not every row since the last heartbeat, even before the table is analyzed', async () => {
    await db.query(
      `INSERT INTO integration_events (event_type, source_system, checkpoint, timestamp)
       VALUES ('heartbeat', 'test', $1, now() - interval '60 s')`,
      [CHECKPOINTS.subscriberAlive],
    );
    // 60 s at 1,000 flows/s after it, as a consumer writes them: never analyzed (autovacuum comes later).
    await db.query(
      `INSERT INTO integration_events (flow_id, event_type, source_system, checkpoint, timestamp)
       SELECT gen_random_uuid(), 'pattern_detected', 'test', c, now() - make_interval(secs => 60 - n / 1000.0)
         FROM generate_series(1, 60000) n, unnest($1::text[]) c`,
      [
        [
          CHECKPOINTS.patternPublished,
          CHECKPOINTS.eventReceived,
          CHECKPOINTS.eventParsed,
          CHECKPOINTS.websocketDelivered,
        ],
      ],
    );
    const heartbeat = await pagesTouched(
      'SELECT timestamp, details FROM integration_events WHERE checkpoint = $1 ORDER BY timestamp DESC LIMIT 1',
      [CHECKPOINTS.subscriberAlive],
    );
    const rejected = await pagesTouched(
      'SELECT timestamp, flow_id, details FROM integration_events WHERE checkpoint = $1 AND timestamp >= $2 ORDER BY timestamp DESC LIMIT 5',
      [CHECKPOINTS.eventRejected, new Date(Date.now() - 10_000)],
    );
    // Walking back through 240,000 rows touches thousands of pages; one probe of the (checkpoint, time) index a handful.
    expect(heartbeat).toBeLessThan(20);
    expect(rejected).toBeLessThan(20);
  });
});
