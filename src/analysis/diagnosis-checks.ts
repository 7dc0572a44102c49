import type { Redis } from 'ioredis';
import type pg from 'pg';
import { ALL_CHANNELS, PRODUCER_HEARTBEAT_KEY } from '../contract/channels.ts';
import { CHECKPOINTS } from '../contract/checkpoints.ts';
import { withClient } from '../db/checked-out-client.ts';
import { schemaDifferences } from '../db/schema-catalog.ts';
import { trackingObjects } from '../db/tracking-removal.ts';
import type { Clock } from '../shared/clock.ts';
import type { Random } from '../shared/seeded-random.ts';
import { publishOnce } from '../sim/publish-once.ts';
import { diagnose } from './flow-diagnosis.ts';
import { flowRow, reconnections, type FlowRow } from './flow-queries.ts';

export interface Finding {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  /** From the troubleshooting guides of specs 000 and 001. */
  readonly fix?: string;
}

export interface DiagnosisDeps {
  readonly redis: Redis;
  readonly db: pg.Pool;
  readonly clock: Clock;
  readonly random: Random;
}

export interface DiagnosisOptions {
  readonly maxHeartbeatAgeSeconds: number;
  /** How long to follow the test pattern's flow. */
  readonly followMs: number;
}

const fail = (check: string, detail: string, fix: string): Finding => ({ check, ok: false, detail, fix });
const pass = (check: string, detail: string): Finding => ({ check, ok: true, detail });

async function attempt<T>(work: () => Promise<T>): Promise<{ value?: T; error?: string }> {
  try {
    return { value: await work() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The producer's heartbeat key, and the consumer's SUBSCRIBER_ALIVE when integration_events is there to hold it. */
async function heartbeatFindings(deps: DiagnosisDeps, maxAge: number, tracking: boolean): Promise<Finding[]> {
  const now = deps.clock.now() / 1000;
  const key = await attempt(() => deps.redis.get(PRODUCER_HEARTBEAT_KEY));
  const producerAge = key.value ? now - Number(key.value) : undefined;
  const consumer = await attempt(() =>
    deps.db.query<{ age: number }>(
      `SELECT extract(epoch FROM now() - max(timestamp)) AS age FROM integration_events WHERE checkpoint = '${CHECKPOINTS.subscriberAlive}'`,
    ),
  );
  const consumerAge = consumer.value?.rows[0]?.age ?? undefined;
  const findings = [
    producerAge !== undefined && producerAge <= maxAge
      ? pass('producer heartbeat', `${PRODUCER_HEARTBEAT_KEY} is ${producerAge.toFixed(0)} s old`)
      : fail(
          'producer heartbeat',
          producerAge === undefined
            ? `${PRODUCER_HEARTBEAT_KEY} is not set`
            : `${PRODUCER_HEARTBEAT_KEY} is ${producerAge.toFixed(0)} s old (max ${maxAge} s)`,
          'No Heartbeat (spec 001 §9): verify the heartbeat thread started, check its Redis connection, verify the 60-second timer, check for thread exceptions.',
        ),
    consumerAge !== undefined && consumerAge !== null && consumerAge <= maxAge
      ? pass('consumer heartbeat', `last SUBSCRIBER_ALIVE ${Number(consumerAge).toFixed(0)} s ago`)
      : fail(
          'consumer heartbeat',
          consumerAge === undefined || consumerAge === null
            ? 'no SUBSCRIBER_ALIVE recorded'
            : `last SUBSCRIBER_ALIVE ${Number(consumerAge).toFixed(0)} s ago (max ${maxAge} s)`,
          'Confirm TickStockAppV2 is running with integration tracking on; it logs SUBSCRIBER_ALIVE every 60 s (spec 000).',
        ),
  ];
  return tracking ? findings : findings.slice(0, 1);
}

// WEBSOCKET_DELIVERED is recorded in the same tick as EVENT_PARSED, so it is written with it or in the next batch.
const DELIVERED_AFTER_PARSED_MS = 500;

async function followFlow(
  deps: DiagnosisDeps,
  flowId: string,
  followMs: number,
): Promise<FlowRow | undefined> {
  let deadline = deps.clock.now() + followMs;
  for (;;) {
    const row = await flowRow(deps.db, flowId);
    if (row?.delivered || row?.rejection || deps.clock.now() > deadline) return row;
    if (row?.parsed) deadline = Math.min(deadline, row.parsed.getTime() + DELIVERED_AFTER_PARSED_MS);
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling the database, bounded by the deadline
  }
}

async function followTestPattern(deps: DiagnosisDeps, followMs: number): Promise<Finding> {
  const published = await publishOnce(deps);
  const flowId = published.event.data.flow_id;
  const row = await followFlow(deps, flowId, followMs);
  const path = row?.flow_path.join(' → ') ?? 'nothing recorded';
  if (row?.delivered) return pass('test pattern flow', `flow ${flowId}: ${path}`);
  if (row?.parsed && !row.rejection)
    return pass(
      'test pattern flow',
      `flow ${flowId}: ${path} (no browser connected, so it ends here: spec 000)`,
    );
  const stopped =
    row === undefined
      ? undefined
      : diagnose(row, await reconnections(deps.db, new Date(deps.clock.now() - 60_000)));
  return fail(
    'test pattern flow',
    `flow ${flowId} (published to ${published.receivers} subscribers): ${path}; ${stopped?.diagnosis ?? 'no checkpoint at all'}`,
    "Patterns Not Received (spec 001 §9): verify the channel name exactly ('tickstock.events.patterns'), use 'pattern' not 'pattern_name', make flow_id a valid UUID, confirm TickStockAppV2 is running.",
  );
}

const TRACKING_OBJECT = /\b(integration_events|pattern_flow_analysis|log_integration_event)\b/;

/** Tracking objects apart from the rest: `db migrate` cannot bring them back once dropped (spec 002). */
async function schemaFindings(
  db: pg.Pool,
): Promise<{ findings: Finding[]; complete: boolean; tracking: boolean }> {
  const missing = await withClient(db, schemaDifferences);
  const tracking = missing.filter((m) => TRACKING_OBJECT.test(m));
  const rest = missing.filter((m) => !TRACKING_OBJECT.test(m));
  const objects = await trackingObjects(db);
  const dropped = !objects.tableExists && !objects.viewExists && !objects.functionExists;
  const findings = [
    tracking.length === 0
      ? pass('tracking objects', 'integration_events, pattern_flow_analysis, log_integration_event()')
      : fail(
          'tracking objects',
          dropped
            ? 'tracking objects dropped: integration_events, pattern_flow_analysis and log_integration_event() are gone'
            : tracking.join('; '),
          'Run `tickstock db restore-tracking` (`db migrate` applies nothing: that migration is recorded as applied), or run producers and consumers with TRACKING_SINK=events.',
        ),
    rest.length === 0
      ? pass('schema objects', 'error_logs, error_counts_hourly, events')
      : fail(
          'schema objects',
          rest.join('; '),
          'Run `tickstock db migrate` against this database (spec 001 §9: verify the schema exists).',
        ),
  ];
  return { findings, complete: missing.length === 0, tracking: objects.tableExists };
}

/** Spec 000's diagnose_integration.py: reachability, schema, subscribers, heartbeats, and a test pattern followed end to end. */
export async function runDiagnosis(deps: DiagnosisDeps, options: DiagnosisOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const ping = await attempt(() => deps.redis.ping());
  findings.push(
    ping.value === 'PONG'
      ? pass('Redis reachable', 'PING answered')
      : fail(
          'Redis reachable',
          ping.error ?? 'no PONG',
          'Check REDIS_URL and that redis-server is running and reachable.',
        ),
  );
  const select = await attempt(() => deps.db.query('SELECT 1'));
  findings.push(
    select.value
      ? pass('PostgreSQL reachable', 'SELECT 1 answered')
      : fail(
          'PostgreSQL reachable',
          select.error ?? 'no answer',
          'Database Logging Fails (spec 001 §9): check DATABASE_URL, that PostgreSQL runs, and the credentials.',
        ),
  );
  if (!findings.every((f) => f.ok)) return findings;

  const schema = await schemaFindings(deps.db);
  findings.push(...schema.findings);
  const counts = (await deps.redis.pubsub('NUMSUB', ...ALL_CHANNELS)) as (string | number)[];
  for (let i = 0; i < counts.length; i += 2) {
    const [channel, n] = [String(counts[i]), Number(counts[i + 1])];
    findings.push(
      n > 0
        ? pass(`subscribers on ${channel}`, `${n}`)
        : fail(
            `subscribers on ${channel}`,
            'nobody subscribes: messages published there are lost',
            'Confirm TickStockAppV2 is running and subscribed to exactly this channel name (spec 001 §3).',
          ),
    );
  }
  findings.push(...(await heartbeatFindings(deps, options.maxHeartbeatAgeSeconds, schema.tracking)));
  // Without the tracking objects neither SUBSCRIBER_ALIVE nor a flow can be read back: the finding above says why.
  if (schema.complete) findings.push(await followTestPattern(deps, options.followMs));
  return findings;
}
