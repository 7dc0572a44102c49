import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ALL_CHANNELS, type ChannelName } from '../contract/channels.ts';
import { CHECKPOINTS, INTEGRATION_EVENT_TYPES } from '../contract/checkpoints.ts';
import { SOCKET_EVENTS } from '../contract/socket-events.ts';
import { CATEGORIES } from '../contract/schemas/error-message.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { CheckpointSink } from '../tracking/checkpoint-record.ts';
import { consumerCheckpoint } from './checkpoint-factory.ts';
import { ConsumerStats } from './consumer-stats.ts';
import { createConsumerServer, json, type Route } from './http-server.ts';
import { createMessageRouter } from './message-router.ts';
import { createPatternPipeline } from './pattern-pipeline.ts';
import { createRedisSubscription, type BackoffOptions } from './redis-subscription.ts';
import { startSubscriberHeartbeat } from './subscriber-heartbeat.ts';
import { ERROR_ENDPOINTS } from './errors/error-api.ts';
import { authorized } from './api-params.ts';
import { jsonApi } from './json-api.ts';
import { EVENT_ENDPOINTS } from './event-api.ts';
import { createErrorMonitoring, type ErrorMonitoringDeps } from './errors/error-monitoring.ts';
import { ResponseCache } from './errors/response-cache.ts';

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
  /** Extra HTTP routes (REST APIs, pages), tried before the built-in ones. */
  readonly routes?: readonly Route[];
}

// The dashboard takes its category list from the contract, the one place it is defined.
const DASHBOARD = readFileSync(new URL('./web/dashboard.html', import.meta.url), 'utf8').replace(
  '/*CATEGORIES*/ []',
  JSON.stringify(CATEGORIES),
);
/** One page: errors, alerts and the live pattern flow (the demo's page too). */
const PAGES: Readonly<Record<string, string>> = { '/': DASHBOARD, '/dashboard': DASHBOARD };

/** The reference consumer (TickStockAppV2's side of specs 000, 001 and 004). */
export function createConsumer(deps: ConsumerDeps, options: ConsumerOptions = DEFAULT_CONSUMER) {
  const { sink, clock, logger } = deps;
  const stats = new ConsumerStats();
  let subscribed = false;
  const startedAt = clock.now();

  const builtIn: Route[] = [
    (req, url) => (req.method === 'GET' && url.pathname === '/health' ? json(health()) : undefined),
    (req, url) => {
      const body = req.method === 'GET' ? PAGES[url.pathname] : undefined;
      return body === undefined
        ? undefined
        : Promise.resolve({ status: 200, type: 'text/html; charset=utf-8', body });
    },
  ];
  const errorOptions = deps.errors;
  const apiCache = new ResponseCache(errorOptions?.apiCacheMs ?? 0, () => clock.now());
  const api = errorOptions?.db;
  const apiRoutes =
    api === undefined
      ? []
      : [
          jsonApi(
            { ...ERROR_ENDPOINTS, ...EVENT_ENDPOINTS },
            { db: api, adminToken: errorOptions?.adminToken, cache: apiCache },
          ),
        ];
  const server = createConsumerServer([...(deps.routes ?? []), ...apiRoutes, ...builtIn]);
  server.monitoring.use((socket, next) => {
    const presented =
      (socket.handshake.auth as { token?: string }).token ??
      /^Bearer (.+)$/.exec(socket.handshake.headers.authorization ?? '')?.[1];
    next(
      authorized(errorOptions?.adminToken, presented)
        ? undefined
        : new Error('unauthorized: /monitoring needs the admin token'),
    );
  });
  const monitoring = createErrorMonitoring(errorOptions, server, {
    clock,
    logger,
    onStored: () => apiCache.clear(),
  });
  const pattern = createPatternPipeline({
    sink,
    stats,
    clock,
    logger,
    delivery: {
      emit: (event) => {
        const users = server.main.sockets.size;
        if (users > 0) server.main.emit(SOCKET_EVENTS.patternAlert, event);
        return users;
      },
    },
  });
  const route = createMessageRouter(
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
    logger,
  );
  const subscription = createRedisSubscription(
    deps.redisUrl,
    options.channels,
    {
      subscribing: (channel) =>
        sink.record(
          consumerCheckpoint(
            clock.now(),
            INTEGRATION_EVENT_TYPES.subscriptionActive,
            CHECKPOINTS.channelSubscribed,
            { channel },
          ),
        ),
      confirmed: (channel, count, afterReconnect) =>
        sink.record(
          consumerCheckpoint(
            clock.now(),
            INTEGRATION_EVENT_TYPES.subscriptionConfirmed,
            CHECKPOINTS.subscriptionConfirmed,
            {
              channel,
              details: { subscriber_count: count, after_reconnect: afterReconnect },
            },
          ),
        ),
      message: route,
      connectionError: (error) => {
        stats.connectionErrors += 1;
        logger.warn(
          { err: error.message, connection_errors: stats.connectionErrors },
          'Redis connection error',
        );
      },
      reconnected: (downMs) => {
        stats.reconnections += 1;
        sink.record(
          consumerCheckpoint(clock.now(), INTEGRATION_EVENT_TYPES.connection, CHECKPOINTS.redisReconnected, {
            details: { down_ms: Math.round(downMs), connection_errors: stats.connectionErrors },
          }),
        );
        logger.info({ down_ms: Math.round(downMs) }, 'Redis reconnected and resubscribed');
      },
    },
    { backoff: options.backoff, now: () => clock.now(), logger },
  );
  const heartbeat = startSubscriberHeartbeat(
    { sink, stats, clock, channels: options.channels, startedAt },
    options.heartbeatIntervalMs,
  );

  function health() {
    return {
      status: subscribed ? 'ok' : 'starting',
      uptime_seconds: Math.round((clock.now() - startedAt) / 1000),
      channels: options.channels,
      clients: { main: server.main.sockets.size, monitoring: server.monitoring.sockets.size },
      counters: stats.counters(),
      tracking: sink.stats(),
      hops: stats.hopSummaries(),
      errors: { ...monitoring.counters, storage: monitoring.store?.stats() ?? null },
    };
  }

  let address: AddressInfo | undefined;
  let closing: Promise<void> | undefined;
  return {
    stats,
    health,
    /** Resolves when listening and every channel is confirmed subscribed. */
    async start(): Promise<AddressInfo> {
      address = await server.listen(options.host, options.port);
      await subscription.start();
      subscribed = true;
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
