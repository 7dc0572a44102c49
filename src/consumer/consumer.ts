import type { AddressInfo } from 'node:net';
import { ALL_CHANNELS, type ChannelName } from '../contract/channels.ts';
import { SOCKET_EVENTS } from '../contract/socket-events.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { CheckpointSink } from '../tracking/checkpoint-record.ts';
import { apiRoutes, pageRoutes, requireAdminToken } from './consumer-routes.ts';
import { ConsumerStats } from './consumer-stats.ts';
import { createErrorMonitoring, type ErrorMonitoringDeps } from './errors/error-monitoring.ts';
import { ResponseCache } from './errors/response-cache.ts';
import { createConsumerServer, type ConsumerServer } from './http-server.ts';
import { createMessageRouter } from './message-router.ts';
import { createPatternPipeline } from './pattern-pipeline.ts';
import { createRedisSubscription, type BackoffOptions } from './redis-subscription.ts';
import { startSubscriberHeartbeat } from './subscriber-heartbeat.ts';
import { subscriptionCheckpoints } from './subscription-checkpoints.ts';

export interface ConsumerOptions {
  /** 127.0.0.1 unless you mean to expose it. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly heartbeatIntervalMs: number;
  readonly backoff: BackoffOptions;
  readonly channels: readonly ChannelName[];
  /** How long close() waits for unwritten checkpoints. */
  readonly closeTimeoutMs: number;
}

export const DEFAULT_CONSUMER: ConsumerOptions = {
  host: '127.0.0.1',
  port: 8787,
  heartbeatIntervalMs: 60_000,
  backoff: { initialMs: 100, maxMs: 5000 },
  channels: ALL_CHANNELS,
  closeTimeoutMs: 5000,
};

export interface ConsumerDeps {
  readonly redisUrl: string;
  readonly sink: CheckpointSink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly errors?: ErrorMonitoringDeps;
}

type ErrorMonitoring = ReturnType<typeof createErrorMonitoring>;

/** Every message decoded once: patterns to the browsers on `/`, errors to spec 004's pipeline, the rest forwarded. */
function messageRouter(
  deps: ConsumerDeps,
  parts: { stats: ConsumerStats; server: ConsumerServer; monitoring: ErrorMonitoring },
) {
  const { stats, server, monitoring } = parts;
  const pattern = createPatternPipeline({
    ...deps,
    stats,
    delivery: {
      emit: (event) => {
        const users = server.main.sockets.size;
        if (users > 0) server.main.emit(SOCKET_EVENTS.patternAlert, event);
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
    stats,
    deps.logger,
  );
}

/** The reference consumer (TickStockAppV2's side of specs 000, 001 and 004). */
export function createConsumer(deps: ConsumerDeps, options: ConsumerOptions = DEFAULT_CONSUMER) {
  const { sink, clock, logger } = deps;
  const stats = new ConsumerStats();
  const startedAt = clock.now();
  const apiCache = new ResponseCache(deps.errors?.apiCacheMs ?? 0, () => clock.now());
  const server = createConsumerServer([...apiRoutes(deps.errors, apiCache), ...pageRoutes(() => health())]);
  requireAdminToken(server.monitoring, deps.errors?.adminToken);
  const monitoring = createErrorMonitoring(deps.errors, server, {
    clock,
    logger,
    onStored: () => apiCache.clear(),
  });
  const subscription = createRedisSubscription(
    deps.redisUrl,
    options.channels,
    subscriptionCheckpoints(
      { sink, stats, clock, logger },
      messageRouter(deps, { stats, server, monitoring }),
    ),
    { backoff: options.backoff, now: () => clock.now(), logger },
  );
  const heartbeat = startSubscriberHeartbeat(
    { sink, stats, clock, channels: options.channels, startedAt },
    options.heartbeatIntervalMs,
  );
  let subscribed = false;
  const health = () => ({
    status: subscribed ? 'ok' : 'starting',
    uptime_seconds: Math.round((clock.now() - startedAt) / 1000),
    channels: options.channels,
    clients: { main: server.main.sockets.size, monitoring: server.monitoring.sockets.size },
    counters: stats.counters(),
    tracking: sink.stats(),
    hops: stats.hopSummaries(),
    errors: { ...monitoring.counters, storage: monitoring.store?.stats() ?? null },
  });
  return lifecycle(deps, options, {
    stats,
    health,
    server,
    subscription,
    monitoring,
    heartbeat,
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
    monitoring: ErrorMonitoring;
    heartbeat: { stop(): void };
    ready: () => void;
  },
) {
  const { server, subscription, monitoring, heartbeat } = parts;
  let address: AddressInfo | undefined;
  let closing: Promise<void> | undefined;
  return {
    stats: parts.stats,
    health: parts.health,
    /** Resolves when listening and every channel is confirmed subscribed. */
    async start(): Promise<AddressInfo> {
      address = await server.listen(options.host, options.port);
      await subscription.start();
      parts.ready();
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
        heartbeat.stop();
        await subscription.close();
        await monitoring.close();
        await server.close();
        await sink
          .drain(options.closeTimeoutMs)
          .catch((error: Error) => logger.error({ err: error.message }, 'checkpoints not drained'));
      })();
      return closing;
    },
  };
}

export type Consumer = ReturnType<typeof createConsumer>;
