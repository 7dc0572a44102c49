import { Redis } from 'ioredis';
import type pg from 'pg';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { createConsumer, DEFAULT_CONSUMER, type ConsumerOptions } from '../../src/consumer/consumer.ts';
import { createPool } from '../../src/db/pools.ts';
import { systemClock } from '../../src/shared/clock.ts';
import type { Logger } from '../../src/shared/logger.ts';
import { DEFAULT_BATCHING, type BatchingSinkOptions } from '../../src/tracking/batching-sink.ts';
import { createTrackingSink, type TrackingSinkChoice } from '../../src/tracking/tracking-sink.ts';
import type { CheckpointSink } from '../../src/tracking/checkpoint-record.ts';
import type { MainServerEvents, MonitoringServerEvents } from '../../src/contract/socket-events.ts';
import { runTempDir } from './temp-dir.ts';
import { join } from 'node:path';
import type { ErrorMonitoringDeps } from '../../src/consumer/consumer.ts';
import { DEFAULT_THRESHOLDS } from '../../src/consumer/errors/alert-rules.ts';
import { DEFAULT_ERROR_STORE } from '../../src/consumer/errors/error-store.ts';
import { insertErrors } from '../../src/db/error-logs.ts';
import { captureLogs } from './log-capture.ts';
import { nextEvent } from './socket-wait.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import type { PatternEvent } from '../../src/contract/schemas/pattern-event.ts';
import type { Random } from '../../src/shared/seeded-random.ts';

export interface RigOptions {
  readonly consumer?: Partial<ConsumerOptions>;
  /** Error monitoring settings over the rig's defaults (stored in the file's database, no file log). */
  readonly errors?: Partial<ErrorMonitoringDeps>;
  readonly batching?: Partial<BatchingSinkOptions>;
  /** Where checkpoints go (TRACKING_SINK); integration_events by default. */
  readonly trackingSink?: TrackingSinkChoice;
  /** Replace the database sink (tracking off, say). */
  readonly sink?: (logger: Logger) => CheckpointSink;
}

/** A consumer on real services, a producer-side Redis and pool, and browser clients on demand. */
export async function startFlowRig(
  urls: { databaseUrl: string; redisUrl: string },
  options: RigOptions = {},
) {
  const { logger, lines } = captureLogs();
  const pool = createPool(
    urls.databaseUrl,
    { max: 4, asyncCommit: true, applicationName: 'test-rig' },
    logger,
  );
  const sinkPool = createPool(
    urls.databaseUrl,
    { max: 2, asyncCommit: true, applicationName: 'test-sink' },
    logger,
  );
  const sink =
    options.sink?.(logger) ??
    createTrackingSink(
      {
        enabled: true,
        sink: options.trackingSink ?? 'integration_events',
        batching: { ...DEFAULT_BATCHING, ...options.batching },
      },
      sinkPool,
      logger,
    );
  const errorsPool = createPool(
    urls.databaseUrl,
    { max: 2, asyncCommit: false, applicationName: 'test-errors' },
    logger,
  );
  const spillPath = join(await runTempDir('spill-'), 'errors.jsonl');
  const errors: ErrorMonitoringDeps = {
    writer: (rows) => insertErrors(errorsPool, rows),
    store: { ...DEFAULT_ERROR_STORE, spillPath, retryMinMs: 50, retryMaxMs: 200 },
    fileLog: { enabled: false, path: '', maxSize: 0, backupCount: 0 },
    db: errorsPool,
    broadcastPerSecond: 10,
    thresholds: DEFAULT_THRESHOLDS,
    adminToken: undefined,
    ...options.errors,
  };
  const consumer = createConsumer(
    { redisUrl: urls.redisUrl, sink, clock: systemClock, logger, errors },
    { ...DEFAULT_CONSUMER, port: 0, closeTimeoutMs: 1000, ...options.consumer },
  );
  await consumer.start();
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
    /** A connected Socket.IO client on `/`. */
    async browser(): Promise<Socket<MainServerEvents>> {
      const socket: Socket<MainServerEvents> = connectSocket(consumer.url(), {
        transports: ['websocket'],
        reconnection: false,
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
    errors,
    async close(): Promise<void> {
      clients.forEach((c) => c.disconnect());
      monitors.forEach((c) => c.disconnect());
      await consumer.close();
      await sink.close();
      redis.disconnect();
      await Promise.all([pool.end(), sinkPool.end(), errorsPool.end()]);
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
