import type { Redis } from 'ioredis';
import type pg from 'pg';
import { ALL_CHANNELS, PRODUCER_HEARTBEAT_KEY } from '../contract/channels.ts';
import { CHECKPOINTS } from '../contract/checkpoints.ts';
import { formatMs } from '../shared/latency-histogram.ts';
import { incompleteFlows, incompleteFlowsById, type IncompleteFlow } from './flow-diagnosis.ts';
import {
  flowCounts,
  hopPercentiles,
  latestRejections,
  windowFlows,
  type FlowCounts,
  type HopPercentiles,
} from './flow-queries.ts';

export interface Heartbeat {
  readonly ageSeconds: number | null;
  readonly details: Record<string, unknown> | null;
}

export interface MonitorSnapshot {
  readonly takenAt: Date;
  readonly producerKeyAgeSeconds: number | null;
  readonly producer: Heartbeat;
  readonly consumer: Heartbeat;
  readonly subscribers: readonly { channel: string; subscribers: number }[];
  readonly flowsLastMinute: number;
  readonly counts: FlowCounts;
  readonly hops: readonly HopPercentiles[];
  readonly incomplete: readonly IncompleteFlow[];
}

async function heartbeat(db: pg.Pool, checkpoint: string): Promise<Heartbeat> {
  const { rows } = await db.query<{ age: number; details: Record<string, unknown> }>(
    `SELECT extract(epoch FROM now() - timestamp) AS age, details FROM integration_events
      WHERE checkpoint = $1 ORDER BY timestamp DESC LIMIT 1`,
    [checkpoint],
  );
  return { ageSeconds: rows[0] ? Number(rows[0].age) : null, details: rows[0]?.details ?? null };
}

export interface SnapshotWindow {
  /** Flows that started this recently (fractions allowed: the dashboard looks at the last minute). */
  readonly windowMinutes: number;
  readonly settleMs: number;
  /** Hop latencies of flows that started this recently (5 by default). */
  readonly hopWindowMinutes?: number;
  /** The newest this many incomplete flows (10 by default). */
  readonly incompleteLimit?: number;
}

/**
 * Each read of the snapshot on its own: `monitor` awaits them all, the dashboard's aggregate
 * (pipeline-reads.ts) takes what answers in time and says what did not.
 */
export function snapshotReads(
  deps: { db: pg.Pool; redis: Redis; now: () => number },
  options: SnapshotWindow,
) {
  const { windowMinutes, settleMs } = options;
  const since = new Date(deps.now() - windowMinutes * 60_000);
  const recent = new Date(deps.now() - (options.hopWindowMinutes ?? 5) * 60_000);
  return {
    producerKeyAgeSeconds: async (): Promise<number | null> => {
      const key = await deps.redis.get(PRODUCER_HEARTBEAT_KEY);
      return key === null ? null : deps.now() / 1000 - Number(key);
    },
    subscribers: async () => {
      const numsub = (await deps.redis.pubsub('NUMSUB', ...ALL_CHANNELS)) as (string | number)[];
      const subscribers = [];
      for (let i = 0; i < numsub.length; i += 2)
        subscribers.push({ channel: String(numsub[i]), subscribers: Number(numsub[i + 1]) });
      return subscribers;
    },
    producer: () => heartbeat(deps.db, CHECKPOINTS.producerAlive),
    consumer: () => heartbeat(deps.db, CHECKPOINTS.subscriberAlive),
    flowsLastMinute: async () => {
      const { rows } = await deps.db.query<{ n: string }>(
        `SELECT count(DISTINCT flow_id) AS n FROM integration_events
          WHERE event_type = 'pattern_detected' AND timestamp > now() - interval '1 minute'`,
      );
      return Number(rows[0]?.n ?? 0);
    },
    counts: () => flowCounts(deps.db, { since, settleMs, limit: 0 }),
    hops: () => hopPercentiles(deps.db, recent),
    incomplete: () => incompleteFlows(deps.db, { since, settleMs, limit: options.incompleteLimit ?? 10 }),
    /** Counts, hops (over the same window) and the incomplete flows with one grouping of the rows. */
    window: async () => {
      const w = await windowFlows(deps.db, { since, settleMs, limit: options.incompleteLimit ?? 10 });
      return { ...w, incomplete: await incompleteFlowsById(deps.db, w.incompleteIds, since) };
    },
    rejected: (limit: number) => latestRejections(deps.db, since, limit),
  };
}

/** Spec 000's monitor_system_health.py: both sides' health in one read. */
export async function takeSnapshot(
  deps: { db: pg.Pool; redis: Redis; now: () => number },
  options: SnapshotWindow = { windowMinutes: 60, settleMs: 5000 },
): Promise<MonitorSnapshot> {
  const r = snapshotReads(deps, options);
  const [producerKeyAgeSeconds, subscribers, producer, consumer, flowsLastMinute, counts, hops, incomplete] =
    await Promise.all([
      r.producerKeyAgeSeconds(),
      r.subscribers(),
      r.producer(),
      r.consumer(),
      r.flowsLastMinute(),
      r.counts(),
      r.hops(),
      r.incomplete(),
    ]);
  return {
    takenAt: new Date(deps.now()),
    producerKeyAgeSeconds,
    producer,
    consumer,
    subscribers,
    flowsLastMinute,
    counts,
    hops,
    incomplete,
  };
}

/**
 * What the snapshot shows wrong: missing or stale heartbeats, channels nobody subscribes to, flows that
 * stopped. Flows that end at EVENT_PARSED only because no browser is connected are not a fault.
 */
export function snapshotProblems(s: MonitorSnapshot, maxHeartbeatAgeSeconds: number): string[] {
  const stale = (what: string, ageSeconds: number | null): string[] =>
    ageSeconds === null
      ? [`${what}: never`]
      : ageSeconds > maxHeartbeatAgeSeconds
        ? [`${what}: ${ageSeconds.toFixed(0)} s ago (max ${maxHeartbeatAgeSeconds} s)`]
        : [];
  return [
    ...stale(`producer heartbeat (${PRODUCER_HEARTBEAT_KEY})`, s.producerKeyAgeSeconds),
    ...stale('consumer heartbeat (SUBSCRIBER_ALIVE)', s.consumer.ageSeconds),
    ...s.subscribers.filter((c) => c.subscribers === 0).map((c) => `nobody subscribes to ${c.channel}`),
    ...s.incomplete
      .filter((f) => f.missing !== CHECKPOINTS.websocketDelivered)
      .map((f) => `flow ${f.flowId} stopped: ${f.diagnosis}`),
  ];
}

const age = (s: number | null): string => (s === null ? 'never' : `${s.toFixed(0)} s ago`);
const ms = (v: number | null): string => (v === null ? '—' : formatMs(v));

export function renderSnapshot(s: MonitorSnapshot, problems: readonly string[]): string {
  const lines = [
    `TickStock integration health · ${s.takenAt.toISOString()}`,
    `producer  heartbeat key ${age(s.producerKeyAgeSeconds)}, PRODUCER_ALIVE ${age(s.producer.ageSeconds)}${s.producer.details ? ` ${JSON.stringify(s.producer.details)}` : ''}`,
    `consumer  SUBSCRIBER_ALIVE ${age(s.consumer.ageSeconds)}${s.consumer.details ? ` received ${String(s.consumer.details['events_received'])}, forwarded ${String(s.consumer.details['events_forwarded'])}, connection errors ${String(s.consumer.details['connection_errors'])}` : ''}`,
    `subscribers ${s.subscribers.map((c) => `${c.channel}=${c.subscribers}`).join('  ')}`,
    `flows     ${s.flowsLastMinute} in the last minute; last hour: ${s.counts.complete} complete, ${s.counts.incomplete} incomplete`,
    'hops (last 5 min)   count      p50      p90      p99      max',
    ...s.hops.map(
      (h) =>
        `  ${h.hop.padEnd(20)} ${String(h.count).padStart(6)} ${ms(h.p50).padStart(8)} ${ms(h.p90).padStart(8)} ${ms(h.p99).padStart(8)} ${ms(h.max).padStart(8)}`,
    ),
    s.incomplete.length === 0
      ? 'incomplete flows: none'
      : `incomplete flows (newest ${s.incomplete.length}):`,
    ...s.incomplete.map(
      (f) => `  ${f.flowId} ${f.symbol ?? '?'} ${f.pattern ?? '?'}: ${f.path.join(' → ')} | ${f.diagnosis}`,
    ),
    problems.length === 0 ? 'problems: none' : `problems (${problems.length}):`,
    ...problems.map((p) => `  ${p}`),
  ];
  return lines.join('\n');
}
