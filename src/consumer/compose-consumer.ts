import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { startRetentionScheduler, type RetentionOptions } from '../bus/retention.ts';
import { insertErrors } from '../db/error-logs.ts';
import { createPool } from '../db/pools.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { probePostgres, probeRedis } from '../services/service-probe.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { CheckpointSink } from '../tracking/checkpoint-record.ts';
import { createConsumer, type Consumer, type ConsumerOptions } from './consumer.ts';
import type { ErrorMonitoringDeps, ErrorMonitoringOptions } from './errors/error-monitoring.ts';
import { createTrackingSink, type TrackingOptions } from './tracking-sink.ts';

/** Everything a running consumer is built from: where its services are, how each part behaves. */
export interface ConsumerSetup {
  readonly redisUrl: string;
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
  readonly clock: Clock;
  /** Instead of the sink the tracking switch chooses (none at all, say, to measure tracking's cost). */
  readonly sink?: CheckpointSink;
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

/** A bad URL fails here, at once, instead of in retries that never end. */
async function checkServices(setup: ConsumerSetup): Promise<void> {
  await Promise.all([
    setup.databaseUrl === undefined ? undefined : probePostgres(setup.databaseUrl, PROBE_TIMEOUT_MS),
    probeRedis(setup.redisUrl, PROBE_TIMEOUT_MS),
  ]);
}

// error_logs is not tracking: errors are stored whatever the switch says (spec 002 keeps error_logs).
function openPools(setup: ConsumerSetup, logger: Logger) {
  const url = setup.databaseUrl;
  const sizes = setup.poolSizes ?? DEFAULT_POOL_SIZES;
  const open = (max: number, asyncCommit: boolean, applicationName: string) =>
    url === undefined ? undefined : createPool(url, { max, asyncCommit, applicationName }, logger);
  return {
    tracking: setup.tracking.enabled ? open(sizes.tracking, true, 'tickstock-consumer') : undefined,
    errors: open(sizes.errors, false, 'tickstock-consumer-errors'),
  };
}

async function listen(consumer: Consumer, options: ConsumerOptions): Promise<AddressInfo> {
  return consumer.start().catch((error: NodeJS.ErrnoException) => {
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
  await checkServices(setup);
  const pools = openPools(setup, logger);
  const sink = deps.sink ?? createTrackingSink(setup.tracking, pools.tracking, logger);
  const db = pools.errors;
  const errors: ErrorMonitoringDeps = {
    ...setup.errors,
    db,
    writer: db === undefined ? undefined : (rows) => insertErrors(db, rows),
  };
  const consumer = createConsumer({ redisUrl: setup.redisUrl, sink, clock, logger, errors }, setup.consumer);
  const release = async (): Promise<void> => {
    await consumer.close();
    await sink.close();
    await Promise.all([pools.tracking?.end(), pools.errors?.end()]);
  };
  const address = await listen(consumer, setup.consumer).catch(async (error: unknown) => {
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
