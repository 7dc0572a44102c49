import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  flowCounts,
  hopPercentiles,
  type FlowCounts,
  type FlowWindow,
  type HopPercentiles,
} from '../../../src/analysis/flow-queries.ts';
import { seededRandom } from '../../../src/shared/seeded-random.ts';
import { recorderFor, type ProducerRecorder } from '../../../src/sim/producer-recorder.ts';
import { createPool } from '../../../src/db/pools.ts';
import { systemClock } from '../../../src/shared/clock.ts';
import { formatMs, type LatencySummary } from '../../../src/shared/latency-histogram.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { DEFAULT_SCENARIO } from '../../../src/sim/scenarios.ts';
import { createSimulator, DEFAULT_SIMULATOR, type SimulatorStats } from '../../../src/sim/simulator.ts';
import { clientsHandle, WARMUP_MS, warmUp } from './clients-handle.ts';
import type { ClientsProcessConfig } from './clients-process.ts';
import type { ConsumerProcessConfig, ConsumerProcessResult, TrackingMode } from './consumer-process.ts';
import { forkTs, nextMessage } from './ipc.ts';

export interface FlowLoadOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Events per second, open loop. */
  readonly rate: number;
  readonly durationMs: number;
  readonly clients: number;
  readonly tracking: ConsumerProcessConfig['tracking'];
  readonly seed: number;
  /** Where the consumer process writes its log (removed with the run). */
  readonly workDir: string;
}

export interface FlowLoadResult {
  readonly options: Omit<FlowLoadOptions, 'databaseUrl' | 'redisUrl' | 'workDir'>;
  readonly sim: SimulatorStats;
  /** Publish→client during the warm-up at the same rate (WARMUP_MS, cold processes): not in the figures. */
  readonly warmup: LatencySummary;
  /** Intended send time (the event's timestamp) → received by a Socket.IO client, over every client. */
  readonly publishToClient: LatencySummary;
  readonly receivedPerClient: readonly number[];
  /** Flows recorded complete (null when the mode records none). */
  readonly flows: FlowCounts | null;
  readonly hops: readonly HopPercentiles[];
  readonly consumerCpuPercent: number;
  readonly consumerEventLoopUtilization: number;
  readonly checkpointsWritten: number;
  readonly checkpointsDropped: number;
  readonly rowsPerSecond: number;
}

/** The producer records where the consumer does (nothing when tracking is off). */
function producerRecorder(mode: TrackingMode, db: pg.Pool, seed: number): ProducerRecorder | undefined {
  if (mode === 'off' || mode === 'log-only') return undefined;
  return recorderFor(mode === 'naive-inline' ? 'integration_events' : mode, db, seededRandom(seed + 1));
}

async function completeFlows(
  db: pg.Pool,
  mode: TrackingMode,
  window: FlowWindow,
): Promise<FlowCounts | null> {
  if (mode === 'off' || mode === 'log-only') return null;
  if (mode !== 'events') return flowCounts(db, window);
  const { rows } = await db.query<{ total: string; complete: string }>(
    `SELECT count(DISTINCT correlation_id) AS total,
            count(DISTINCT correlation_id) FILTER (WHERE event_type = 'checkpoint.websocket_delivered') AS complete
       FROM events WHERE created_at >= $1 AND data ->> 'event_type' = 'pattern_detected'`,
    [window.since],
  );
  const total = Number(rows[0]?.total ?? 0);
  const complete = Number(rows[0]?.complete ?? 0);
  return { total, complete, incomplete: total - complete };
}

/** Checkpoint rows in the database since the run started, whichever tables hold them. */
async function rowsWritten(db: pg.Pool, since: Date): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM integration_events WHERE timestamp >= $1)
          + (SELECT count(*) FROM events WHERE created_at >= $1) AS n`,
    [since],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * One open-loop load run on real services: the consumer and the browsers each in their own process,
 * the simulator here. Afterwards every flow is looked up in the database.
 */
export async function runFlowLoad(options: FlowLoadOptions): Promise<FlowLoadResult> {
  const logger = createLogger('error');
  const consumerConfig: ConsumerProcessConfig = {
    redisUrl: options.redisUrl,
    databaseUrl: options.databaseUrl,
    tracking: options.tracking,
    logFile: join(options.workDir, `consumer-${options.rate}-${options.tracking}.log`),
  };
  const consumer = forkTs(new URL('./consumer-process.ts', import.meta.url), consumerConfig);
  const ready = await nextMessage<ConsumerProcessResult>(consumer, 'ready', 30_000);
  const url = ready.type === 'ready' ? ready.url! : '';
  const clientsConfig: ClientsProcessConfig = { url, clients: options.clients };
  const clientsProcess = forkTs(new URL('./clients-process.ts', import.meta.url), clientsConfig);
  const clients = clientsHandle(clientsProcess);
  const redis = new Redis(options.redisUrl, { enableAutoPipelining: true });
  const db = createPool(
    options.databaseUrl,
    { max: 4, asyncCommit: true, applicationName: 'load-sim' },
    logger,
  );
  // The warm-up's own seed: its flows are other flows, published before the measured window.
  const simulate = (seed: number, durationMs: number): Promise<SimulatorStats> =>
    createSimulator(
      {
        redis,
        db: undefined,
        recorder: producerRecorder(options.tracking, db, seed),
        clock: systemClock,
        logger,
      },
      {
        ...DEFAULT_SIMULATOR,
        seed,
        scenario: { ...DEFAULT_SCENARIO, rate: options.rate },
        durationMs,
      },
    ).run();
  try {
    await nextMessage(clientsProcess, 'ready', 30_000);
    const warmup = await warmUp(clients, async (ms) => (await simulate(options.seed + 1_000_003, ms)).sent);
    consumer.send({ type: 'reset' });
    const startedAt = new Date();
    const sim = await simulate(options.seed, options.durationMs);
    await clients.untilReceived(sim.sent);
    consumer.send({ type: 'stop' });
    const [c, k] = await Promise.all([
      clients.stop(),
      nextMessage<ConsumerProcessResult>(consumer, 'result', 60_000),
    ]);
    if (k.type !== 'result') throw new Error('no result from the consumer process');
    const health = k.result.health as { tracking: { written: number; dropped: number } };
    const seconds = (sim.elapsedMs || options.durationMs) / 1000;
    const check = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
    const window = { since: startedAt, settleMs: 0, limit: 0 };
    const [flows, hops, rows] = await Promise.all([
      completeFlows(check, options.tracking, window),
      hopPercentiles(check, startedAt),
      rowsWritten(check, startedAt),
    ]).finally(() => check.end());
    return {
      options: {
        rate: options.rate,
        durationMs: options.durationMs,
        clients: options.clients,
        tracking: options.tracking,
        seed: options.seed,
      },
      sim,
      warmup,
      publishToClient: c.latency,
      receivedPerClient: c.receivedPerClient,
      flows,
      hops,
      consumerCpuPercent: (k.result.cpuMs / 1000 / seconds) * 100,
      consumerEventLoopUtilization: k.result.eventLoopUtilization,
      checkpointsWritten: health.tracking.written,
      checkpointsDropped: health.tracking.dropped,
      rowsPerSecond: rows / seconds,
    };
  } finally {
    redis.disconnect();
    await db.end();
    for (const child of [clientsProcess, consumer]) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** One run as printed by the benches: the headline line, then one line per hop. */
export function formatRun(r: FlowLoadResult): string[] {
  const p = r.publishToClient;
  const flows =
    r.flows === null
      ? 'flows not recorded'
      : `flows complete ${r.flows.complete}${r.flows.complete === r.sim.sent && r.checkpointsDropped === 0 ? '' : ' (INCOMPLETE)'}`;
  return [
    `${String(r.options.rate).padStart(6)}/s x ${r.options.clients} clients [${r.options.tracking}]: publish→client p50 ${formatMs(p.p50)} p90 ${formatMs(p.p90)} p99 ${formatMs(p.p99)} p99.9 ${formatMs(p.p999)} max ${formatMs(p.max)} | sent ${r.sim.sent}, ${flows} | ${Math.round(r.rowsPerSecond)} rows/s | consumer CPU ${r.consumerCpuPercent.toFixed(0)} % | simulator late p50 ${formatMs(r.sim.lateness.p50)} p99 ${formatMs(r.sim.lateness.p99)} max ${formatMs(r.sim.lateness.max)} | before it, warm-up ${WARMUP_MS / 1000} s: p99 ${formatMs(r.warmup.p99)}, max ${formatMs(r.warmup.max)}`,
    ...r.hops
      .filter((h) => h.count > 0)
      .map(
        (h) =>
          `         ${h.hop.padEnd(20)} p50 ${formatMs(h.p50 ?? 0)}  p90 ${formatMs(h.p90 ?? 0)}  p99 ${formatMs(h.p99 ?? 0)}  max ${formatMs(h.max ?? 0)}`,
      ),
  ];
}
