import { Redis } from 'ioredis';
import type pg from 'pg';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { DEFAULT_PIPELINE_WINDOW, pipelineReadsOn } from '../../src/analysis/pipeline-reads.ts';
import { composeConsumer, type ConsumerSetup } from '../../src/consumer/compose-consumer.ts';
import { DEFAULT_CONSUMER, type ConsumerOptions } from '../../src/consumer/consumer-options.ts';
import { createPool } from '../../src/db/pools.ts';
import { systemClock } from '../../src/shared/clock.ts';
import type { Logger } from '../../src/shared/logger.ts';
import { DEFAULT_BATCHING, type BatchingSinkOptions } from '../../src/tracking/batching-sink.ts';
import type { TrackingSinkChoice } from '../../src/consumer/tracking-sink.ts';
import type { CheckpointSink } from '../../src/tracking/checkpoint-record.ts';
import type { MainServerEvents, MonitoringServerEvents } from '../../src/contract/socket-events.ts';
import { runTempDir } from './temp-dir.ts';
import { join } from 'node:path';
import {
  DEFAULT_ERROR_MONITORING,
  type ErrorMonitoringOptions,
} from '../../src/consumer/errors/error-monitoring.ts';
import { DEFAULT_ERROR_STORE } from '../../src/consumer/errors/error-store.ts';
import { captureLogs } from './log-capture.ts';
import { nextEvent } from './socket-wait.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import type { PatternEvent } from '../../src/contract/schemas/pattern-event.ts';
import type { Random } from '../../src/shared/seeded-random.ts';

export interface RigOptions {
  readonly consumer?: Partial<ConsumerOptions>;
  /** Error monitoring settings over the rig's defaults (stored in the file's database, no file log). */
  readonly errors?: Partial<ErrorMonitoringOptions>;
  readonly batching?: Partial<BatchingSinkOptions>;
  /** Where checkpoints go (TRACKING_SINK); integration_events by default. */
  readonly trackingSink?: TrackingSinkChoice;
  /** Replace the database sink (tracking off, say). */
  readonly sink?: (logger: Logger) => CheckpointSink;
  /** Where the consumer finds Redis (a proxy the test can hold, say); the rig's own clients go direct. */
  readonly consumerRedisUrl?: string;
}

/** The consumer the rig starts: port 0, the rig's tracking sink, errors stored in the file's database. */
function rigSetup(
  urls: { databaseUrl: string; redisUrl: string },
  options: RigOptions,
  spillPath: string,
): ConsumerSetup {
  return {
    ...urls,
    consumer: { ...DEFAULT_CONSUMER, port: 0, closeTimeoutMs: 1000, ...options.consumer },
    tracking: {
      enabled: true,
      sink: options.trackingSink ?? 'integration_events',
      batching: { ...DEFAULT_BATCHING, ...options.batching },
    },
    errors: {
      ...DEFAULT_ERROR_MONITORING,
      store: { ...DEFAULT_ERROR_STORE, spillPath, retryMinMs: 50, retryMaxMs: 200 },
      ...options.errors,
    },
    poolSizes: { tracking: 2, errors: 2 },
  };
}

/** A consumer on real services, a producer-side Redis and pool, and browser clients on demand. */
export async function startFlowRig(
  urls: { databaseUrl: string; redisUrl: string },
  options: RigOptions = {},
) {
  const { logger, lines } = captureLogs();
  const spillPath = join(await runTempDir('spill-'), 'errors.jsonl');
  const consumerUrls = { ...urls, redisUrl: options.consumerRedisUrl ?? urls.redisUrl };
  const composed = await composeConsumer(rigSetup(consumerUrls, options, spillPath), {
    logger,
    clock: systemClock,
    sink: options.sink?.(logger),
    // Flows judged after 1 s, not 3: a stopped flow shows sooner (the rig writes its rows within ms).
    pipelineReads: pipelineReadsOn(consumerUrls.redisUrl, () => systemClock.now(), {
      ...DEFAULT_PIPELINE_WINDOW,
      settleMs: 1000,
    }),
  });
  const { consumer, sink } = composed;
  const pool = createPool(
    urls.databaseUrl,
    { max: 4, asyncCommit: true, applicationName: 'test-rig' },
    logger,
  );
  const redis = new Redis(urls.redisUrl);
  // Outage tests stop Redis under this client; the commands that fail meanwhile say so themselves.
  redis.on('error', () => undefined);
  const clients: Socket<MainServerEvents>[] = [];
  const monitors: Socket<MonitoringServerEvents>[] = [];
  return {
    consumer,
    sink,
    pool,
    redis,
    logger,
    lines,
    /** A connected Socket.IO client on `/` (with `token` when the rig requires one). */
    async browser(token?: string): Promise<Socket<MainServerEvents>> {
      const socket: Socket<MainServerEvents> = connectSocket(consumer.url(), {
        transports: ['websocket'],
        reconnection: false,
        auth: token === undefined ? {} : { token },
      });
      clients.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return socket;
    },
    /** Publishes one test pattern (unrecorded unless `db` is given) and resolves once `browser` has it. */
    async deliverOne(browser: Socket<MainServerEvents>, random: Random, db?: pg.Pool): Promise<PatternEvent> {
      const alert = nextEvent(browser, 'pattern_alert');
      const { event } = await publishOnce({ redis, db, clock: systemClock, random });
      const received = await alert;
      if (received.data.flow_id !== event.data.flow_id)
        throw new Error(`the browser got flow ${received.data.flow_id}, expected ${event.data.flow_id}`);
      return event;
    },
    /** A connected Socket.IO client on `/monitoring` (with `token` when the rig requires one). */
    async monitor(token?: string): Promise<Socket<MonitoringServerEvents>> {
      const socket: Socket<MonitoringServerEvents> = connectSocket(`${consumer.url()}/monitoring`, {
        transports: ['websocket'],
        reconnection: false,
        auth: token === undefined ? {} : { token },
      });
      monitors.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return socket;
    },
    async close(): Promise<void> {
      clients.forEach((c) => c.disconnect());
      monitors.forEach((c) => c.disconnect());
      await composed.close();
      redis.disconnect();
      await pool.end();
    },
  };
}

export type FlowRig = Awaited<ReturnType<typeof startFlowRig>>;

export async function flowCheckpoints(db: pg.Pool, flowId: string): Promise<string[]> {
  const { rows } = await db.query<{ checkpoint: string }>(
    'SELECT checkpoint FROM integration_events WHERE flow_id = $1 ORDER BY timestamp, id',
    [flowId],
  );
  return rows.map((r) => r.checkpoint);
}
