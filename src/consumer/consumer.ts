import type { AddressInfo } from 'node:net';
import { PATTERN_SAMPLES_PER_SECOND, SOCKET_EVENTS } from '../contract/socket-events.ts';
import type { ClusterTarget } from '../services/cluster-target.ts';
import type { TimerClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { CheckpointSink } from '../tracking/checkpoint-record.ts';
import { apiRoutes, pageRoutes, requireAdminToken } from './consumer-routes.ts';
import type { DashboardAssets } from './dashboard-assets.ts';
import { ConsumerStats } from './consumer-stats.ts';
import { createErrorMonitoring, type ErrorMonitoringDeps } from './errors/error-monitoring.ts';
import { ResponseCache } from './errors/response-cache.ts';
import { createConsumerServer, type ConsumerServer } from './http-server.ts';
import { createMessageRouter } from './message-router.ts';
import { createPatternPipeline } from './pattern-pipeline.ts';
import { startPipelineAggregate, type PipelineReads } from './pipeline-aggregate.ts';
import { perSecondBudget, spacedBy } from './per-second-budget.ts';
import { createRedisSubscription } from './redis-subscription.ts';
import { shardedEvents } from './consumer-shard.ts';
import { redisStreamsAdapter } from './socket-adapter.ts';
import { groupClients } from './group-clients.ts';
import { DEFAULT_CONSUMER, type ConsumerOptions } from './consumer-options.ts';
import { subscriberHeartbeat } from './subscriber-heartbeat.ts';
import { subscriptionCheckpoints } from './subscription-checkpoints.ts';
import { watchLoopStalls } from '../shared/loop-stalls.ts';

export interface ConsumerDeps {
  readonly redisUrl: string;
  /** Subscribe sharded (SSUBSCRIBE) on this Redis Cluster; `redisUrl` is then one of its nodes. */
  readonly redisCluster?: ClusterTarget | undefined;
  readonly sink: CheckpointSink;
  readonly clock: TimerClock;
  readonly logger: Logger;
  readonly errors?: ErrorMonitoringDeps;
  /** The stores' figures for the dashboard's aggregate; without them it shows the consumer's own. */
  readonly pipelineReads?: PipelineReads;
  /** The dashboard's files, bundled before the consumer starts. */
  readonly assets: DashboardAssets;
}

type ErrorMonitoring = ReturnType<typeof createErrorMonitoring>;

/** Every message decoded once: patterns to the browsers on `/`, errors to spec 004's pipeline, the rest forwarded. */
function messageRouter(
  deps: ConsumerDeps,
  options: ConsumerOptions,
  parts: {
    stats: ConsumerStats;
    server: ConsumerServer;
    monitoring: ErrorMonitoring;
    group: ReturnType<typeof groupClients> | undefined;
  },
) {
  const { stats, server, monitoring, group } = parts;
  const sample = spacedBy(1000 / PATTERN_SAMPLES_PER_SECOND, () => deps.clock.now());
  const pattern = createPatternPipeline({
    ...deps,
    stats,
    rejectedRows: perSecondBudget(() => deps.clock.now(), options.rejectedCheckpointsPerSecond),
    delivery: {
      emit: (event) => {
        const users = group?.count() ?? server.main.sockets.size;
        if (users > 0 || group !== undefined) server.main.emit(SOCKET_EVENTS.patternAlert, event);
        // Operators' pages get a sample, never a frame per event; a page that cannot keep up drops it.
        if (server.monitoring.sockets.size > 0 && sample())
          server.monitoring.volatile.emit(SOCKET_EVENTS.patternSample, event);
        return users;
      },
    },
  });
  return createMessageRouter(
    {
      pattern,
      forward: (kind, message) => {
        const name = kind === 'health_status' ? SOCKET_EVENTS.systemHealth : kind;
        (server.main.emit as (event: string, payload: unknown) => boolean)(name, message);
      },
      error: (verdict, receivedAt) => {
        if (verdict.ok) stats.eventsProcessed += 1;
        else stats.eventsRejected += 1;
        monitoring.pipeline.handle(verdict, receivedAt);
      },
    },
    { stats, clock: deps.clock, logger: deps.logger },
  );
}

/** The reference consumer (TickStockAppV2's side of specs 000, 001 and 004). */
export function createConsumer(deps: ConsumerDeps, options: ConsumerOptions = DEFAULT_CONSUMER) {
  const { sink, clock, logger } = deps;
  const stats = new ConsumerStats();
  const startedAt = clock.now();
  const apiCache = new ResponseCache(deps.errors?.apiCacheMs ?? 0, () => clock.now());
  // A group's consumers share their clients: what one emits, the clients of all receive.
  const { shard } = options;
  const shared =
    shard === undefined || shard.count === 1
      ? undefined
      : redisStreamsAdapter(deps.redisUrl, deps.redisCluster);
  const server = createConsumerServer(
    [...apiRoutes(deps.errors, apiCache), ...pageRoutes(deps.assets, () => health())],
    logger,
    shared?.adapter,
  );
  for (const namespace of [server.main, server.monitoring])
    requireAdminToken(namespace, deps.errors?.adminToken);
  const monitoring = createErrorMonitoring(deps.errors, server, {
    clock,
    logger,
    onStored: () => apiCache.clear(),
  });
  const group = shared === undefined ? undefined : groupClients(server.main);
  const router = messageRouter(deps, options, { stats, server, monitoring, group });
  const subscription = createRedisSubscription(
    deps.redisUrl,
    options.channels,
    shardedEvents(
      subscriptionCheckpoints({ sink, stats, clock, logger }, router.route),
      shard,
      () => (stats.otherShards += 1),
    ),
    { backoff: options.backoff, now: () => clock.now(), logger, cluster: deps.redisCluster },
  );
  const heartbeat = subscriberHeartbeat(
    { sink, stats, clock, channels: options.channels, startedAt },
    options.heartbeatIntervalMs,
  );
  const loop = watchLoopStalls();
  const aggregate = startPipelineAggregate({
    stats,
    sink,
    clock,
    logger,
    reads: deps.pipelineReads,
    listeners: () => server.monitoring.sockets.size,
    // Each consumer's own figures, to its own dashboards (in a group, one per process).
    emit: (a) => server.monitoring.local.emit(SOCKET_EVENTS.pipelineAggregate, a),
  });
  let subscribed = false;
  const health = () => ({
    status: subscribed ? 'ok' : 'starting',
    uptime_seconds: Math.round((clock.now() - startedAt) / 1000),
    channels: options.channels,
    shard: shard ?? null,
    clients: {
      main: server.main.sockets.size,
      monitoring: server.monitoring.sockets.size,
      ...(group === undefined ? {} : { group: group.count() }),
    },
    counters: stats.counters(),
    tracking: sink.stats(),
    hops: stats.hopSummaries(),
    errors: { ...monitoring.counters, storage: monitoring.store?.stats() ?? null },
    event_loop: loop.stalls(),
  });
  return lifecycle(deps, options, {
    stats,
    health,
    server,
    subscription,
    router,
    monitoring,
    heartbeat,
    loop,
    aggregate,
    shared:
      shared === undefined
        ? undefined
        : {
            close: () => {
              group?.stop();
              shared.close();
            },
          },
    ready: () => (subscribed = true),
  });
}

/** start() resolves when listening and subscribed; close() drains what was recorded. */
function lifecycle<Health>(
  { sink, logger }: ConsumerDeps,
  options: ConsumerOptions,
  parts: {
    stats: ConsumerStats;
    health: () => Health;
    server: ConsumerServer;
    subscription: ReturnType<typeof createRedisSubscription>;
    router: { close(): void };
    monitoring: ErrorMonitoring;
    heartbeat: { start(): void; stop(): void };
    loop: { stop(): void };
    aggregate: { stop(): void };
    shared: { close(): void } | undefined;
    ready: () => void;
  },
) {
  const { server, subscription, monitoring, heartbeat, aggregate } = parts;
  let address: AddressInfo | undefined;
  let closing: Promise<void> | undefined;
  return {
    stats: parts.stats,
    health: parts.health,
    /** Resolves when listening and every channel is confirmed subscribed, within `timeoutMs`. */
    async start(timeoutMs = options.startRetryMs): Promise<AddressInfo> {
      address = await server.listen(options.host, options.port);
      await subscription.start(timeoutMs);
      parts.ready();
      heartbeat.start();
      logger.info(
        { host: address.address, port: address.port, channels: options.channels },
        'consumer ready',
      );
      return address;
    },
    url(): string {
      if (address === undefined) throw new Error('consumer not started');
      return `http://${address.address}:${address.port}`;
    },
    /** Stops taking messages, closes sockets and drains the checkpoints recorded so far. Safe twice. */
    close(): Promise<void> {
      closing ??= (async () => {
        const deadline = Date.now() + options.closeTimeoutMs;
        const left = () => Math.max(0, deadline - Date.now());
        heartbeat.stop();
        parts.loop.stop();
        aggregate.stop();
        await subscription.close();
        parts.router.close();
        // One bound for both: errors and checkpoints are written side by side, not one after the other.
        await Promise.all([
          monitoring.close(left()),
          sink
            .drain(left())
            .catch((error: Error) => logger.error({ err: error.message }, 'checkpoints not drained')),
        ]);
        await server.close();
        parts.shared?.close();
      })();
      return closing;
    },
  };
}

export type Consumer = ReturnType<typeof createConsumer>;
