import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { startRetentionScheduler, type RetentionOptions } from '../bus/retention.ts';
import { insertErrors } from '../db/error-logs.ts';
import { createPool } from '../db/pools.ts';
import { HarnessError } from '../errors/harness-error.ts';
import type { ClusterTarget } from '../services/cluster-target.ts';
import { ServiceError } from '../services/service-error.ts';
import { probePostgres, probeRedis } from '../services/service-probe.ts';
import type { Clock, TimerClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { settleWithin } from '../shared/settle-within.ts';
import type { CheckpointSink } from '../tracking/checkpoint-record.ts';
import { createConsumer, type Consumer } from './consumer.ts';
import { dashboardAssets } from './dashboard-assets.ts';
import type { ConsumerOptions } from './consumer-options.ts';
import type { PipelineReads } from './pipeline-aggregate.ts';
import type { ErrorMonitoringDeps, ErrorMonitoringOptions } from './errors/error-monitoring.ts';
import { createTrackingSink, type TrackingOptions } from './tracking-sink.ts';

/** Everything a running consumer is built from: where its services are, how each part behaves. */
export interface ConsumerSetup {
  readonly redisUrl: string;
  /** Sharded pub-sub on this Redis Cluster (`redisUrl` is then one of its nodes, for the probe). */
  readonly redisCluster?: ClusterTarget | undefined;
  /** Error storage, the REST APIs and, with tracking on, checkpoint rows; undefined: log lines and counters. */
  readonly databaseUrl: string | undefined;
  readonly consumer: ConsumerOptions;
  readonly tracking: TrackingOptions;
  readonly errors: ErrorMonitoringOptions;
  /** Spec 003's daily cleanup beside the consumer, as its cleanup service runs beside the app. */
  readonly retention?: RetentionOptions;
  /** Connections for checkpoint rows, and for error rows and the REST APIs. */
  readonly poolSizes?: { readonly tracking: number; readonly errors: number };
}

export interface ComposeDeps {
  readonly logger: Logger;
  readonly clock: TimerClock;
  /** Instead of the sink the tracking switch chooses (none at all, say, to measure tracking's cost). */
  readonly sink?: CheckpointSink;
  /** The dashboard aggregate's reads of the stores, on a pool of their own (src/analysis/pipeline-reads.ts). */
  readonly pipelineReads?: (db: pg.Pool) => PipelineReads;
}

/** Rows the consumer took but did not write: checkpoints lost, errors left in the spill file or refused. */
export interface Unwritten {
  readonly checkpoints: number;
  readonly errors: number;
}

export interface ComposedConsumer {
  readonly consumer: Consumer;
  readonly sink: CheckpointSink;
  readonly address: AddressInfo;
  /** Closes everything in order and tells what was not written. Safe twice. */
  close(): Promise<Unwritten>;
}

const DEFAULT_POOL_SIZES = { tracking: 2, errors: 4 };
const PROBE_TIMEOUT_MS = 5000;
/** The subscription's own first attempt, even when the start-up retry is spent or 0. */
const FIRST_ATTEMPT_MS = 2000;
/** Past the stop bound, for connections to the database to close. */
const POOL_END_MS = 500;

/**
 * A bad URL or password fails here, with a coded error, instead of in retries that never end; a server
 * that cannot be reached (still starting, restarting) is tried again until `deadline`.
 */
async function checkServices(setup: ConsumerSetup, deadline: number): Promise<void> {
  for (let waitMs = 100; ; waitMs = Math.min(waitMs * 2, 1000)) {
    const timeoutMs = Math.min(PROBE_TIMEOUT_MS, Math.max(deadline - Date.now(), 1000));
    try {
      await Promise.all([
        setup.databaseUrl === undefined ? undefined : probePostgres(setup.databaseUrl, timeoutMs),
        probeRedis(setup.redisUrl, timeoutMs),
      ]);
      return;
    } catch (error) {
      const unreachable = error instanceof ServiceError && error.code === 'SERVICES_UNREACHABLE';
      if (!unreachable || Date.now() + waitMs >= deadline) throw error;
      await delay(waitMs);
    }
  }
}

// error_logs is not tracking: errors are stored whatever the switch says (spec 002 keeps error_logs).
function openPools(setup: ConsumerSetup, logger: Logger, dashboard: boolean) {
  const url = setup.databaseUrl;
  const sizes = setup.poolSizes ?? DEFAULT_POOL_SIZES;
  const open = (max: number, asyncCommit: boolean, applicationName: string) =>
    url === undefined ? undefined : createPool(url, { max, asyncCommit, applicationName }, logger);
  return {
    tracking: setup.tracking.enabled ? open(sizes.tracking, true, 'tickstock-consumer') : undefined,
    errors: open(sizes.errors, false, 'tickstock-consumer-errors'),
    // Apart from the others: a slow read for the dashboard never holds an error write or an API answer.
    dashboard: dashboard ? open(2, false, 'tickstock-consumer-dashboard') : undefined,
  };
}

async function listen(consumer: Consumer, options: ConsumerOptions, deadline: number): Promise<AddressInfo> {
  return consumer
    .start(Math.max(deadline - Date.now(), FIRST_ATTEMPT_MS))
    .catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EADDRINUSE'
        ? new HarnessError(
            'CONSUMER_PORT_IN_USE',
            `Port ${options.port} on ${options.host} is in use.`,
            'Set CONSUMER_PORT or --port to a free port (0 picks one).',
            { cause: error },
          )
        : error;
    });
}

function unwritten(sink: CheckpointSink, consumer: Consumer): Unwritten {
  const checkpoints = sink.stats();
  const errors = consumer.health().errors.storage;
  return {
    checkpoints: checkpoints.buffered + checkpoints.dropped + checkpoints.refused,
    errors: errors === null ? 0 : errors.inMemory + errors.spilled + errors.refused,
  };
}

/** The one place a reference consumer is wired: the CLI, the test rig and the load test all start it here. */
export async function composeConsumer(setup: ConsumerSetup, deps: ComposeDeps): Promise<ComposedConsumer> {
  const { logger, clock } = deps;
  const startDeadline = Date.now() + setup.consumer.startRetryMs;
  const [assets] = await Promise.all([dashboardAssets(), checkServices(setup, startDeadline)]);
  const pools = openPools(setup, logger, deps.pipelineReads !== undefined);
  const sink = deps.sink ?? createTrackingSink(setup.tracking, pools.tracking, logger);
  const db = pools.errors;
  const errors: ErrorMonitoringDeps = {
    ...setup.errors,
    db,
    writer: db === undefined ? undefined : (rows) => insertErrors(db, rows),
  };
  const pipelineReads = pools.dashboard && deps.pipelineReads?.(pools.dashboard);
  const consumer = createConsumer(
    {
      redisUrl: setup.redisUrl,
      redisCluster: setup.redisCluster,
      sink,
      clock,
      logger,
      errors,
      pipelineReads,
      assets,
    },
    setup.consumer,
  );
  const release = async (): Promise<void> => {
    const deadline = Date.now() + setup.consumer.closeTimeoutMs;
    await consumer.close();
    const left = () => Math.max(0, deadline - Date.now());
    await sink.close(left());
    // A connection stuck on a frozen server would hold pool.end() for ever.
    await settleWithin(
      Promise.all([pools.tracking?.end(), pools.errors?.end(), pools.dashboard?.end()]),
      left() + POOL_END_MS,
    );
  };
  const address = await listen(consumer, setup.consumer, startDeadline).catch(async (error: unknown) => {
    await release();
    throw error;
  });
  const retention = retentionBeside(db, setup.retention, { clock, logger });
  let closing: Promise<Unwritten> | undefined;
  return {
    consumer,
    sink,
    address,
    close: () =>
      (closing ??= (async () => {
        await retention?.stop();
        await release();
        return unwritten(sink, consumer);
      })()),
  };
}

function retentionBeside(
  db: pg.Pool | undefined,
  options: RetentionOptions | undefined,
  deps: { clock: Clock; logger: Logger },
) {
  return db === undefined || options === undefined
    ? undefined
    : startRetentionScheduler({ db, ...deps }, options);
}
