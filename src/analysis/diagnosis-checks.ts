import type { Redis } from 'ioredis';
import type pg from 'pg';
import { ALL_CHANNELS, PRODUCER_HEARTBEAT_KEY } from '../contract/channels.ts';
import { CHECKPOINTS } from '../contract/checkpoints.ts';
import { schemaDifferences } from '../db/schema-catalog.ts';
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

async function heartbeatFindings(deps: DiagnosisDeps, maxAge: number): Promise<Finding[]> {
  const now = deps.clock.now() / 1000;
  const key = await attempt(() => deps.redis.get(PRODUCER_HEARTBEAT_KEY));
  const producerAge = key.value ? now - Number(key.value) : undefined;
  const consumer = await attempt(() =>
    deps.db.query<{ age: number }>(
      `SELECT extract(epoch FROM now() - max(timestamp)) AS age FROM integration_events WHERE checkpoint = '${CHECKPOINTS.subscriberAlive}'`,
    ),
  );
  const consumerAge = consumer.value?.rows[0]?.age ?? undefined;
  return [
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
}

async function followTestPattern(deps: DiagnosisDeps, followMs: number): Promise<Finding> {
  const published = await publishOnce(deps);
  const flowId = published.event.data.flow_id;
  const deadline = deps.clock.now() + followMs;
  let row: FlowRow | undefined;
  for (;;) {
    row = await flowRow(deps.db, flowId);
    if ((row?.delivered ?? null) !== null || deps.clock.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling the database, bounded by the deadline
  }
  const path = row?.flow_path.join(' → ') ?? 'nothing recorded';
  if (row?.delivered) return pass('test pattern flow', `flow ${flowId}: ${path}`);
  const stopped =
    row === undefined
      ? undefined
      : diagnose(row, await reconnections(deps.db, new Date(deps.clock.now() - 60_000)));
  return fail(
    'test pattern flow',
    `flow ${flowId} (published to ${published.receivers} subscribers): ${path}; ${stopped?.diagnosis ?? 'no checkpoint at all'}`,
    "Patterns Not Received (spec 001 §9): verify the channel name exactly ('tickstock.events.patterns'), use 'pattern' not 'pattern_name', make flow_id a valid UUID, confirm TickStockAppV2 is running; with no browser connected the flow ends at EVENT_PARSED (spec 000).",
  );
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

  const client = await deps.db.connect();
  const missing = await schemaDifferences(client).finally(() => client.release());
  findings.push(
    missing.length === 0
      ? pass(
          'schema objects',
          'integration_events, pattern_flow_analysis, log_integration_event(), error_logs, events',
        )
      : fail(
          'schema objects',
          missing.join('; '),
          'Verify the log_integration_event function exists (spec 001 §9): run `tickstock db migrate` against this database.',
        ),
  );
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
  findings.push(...(await heartbeatFindings(deps, options.maxHeartbeatAgeSeconds)));
  if (missing.length === 0) findings.push(await followTestPattern(deps, options.followMs));
  return findings;
}
