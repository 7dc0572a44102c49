import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Server } from 'socket.io';
import { CHANNELS } from '../../src/contract/channels.ts';

/** Its error subscriber, as deployed: stores errors with `source` and `message`, and drops out when idle. */
export interface StandInErrors {
  readonly databaseUrl: string;
  /** Its own table (appv2's error_logs has other columns than spec 004's). */
  readonly table: string;
  /** Without error traffic this long, it unsubscribes (deployed: 5 s) … */
  readonly idleDropMs: number;
  /** … and subscribes again this long after (deployed: 5 s): errors published between are lost. */
  readonly resubscribeAfterMs: number;
}

/**
 * A stand-in for TickStockAppV2 as deployed, as far as a load run sees it: each published pattern
 * is pushed as `pattern_alert` on `/`, wrapped as that consumer wraps it (the published message in
 * `event_data.data`, its own `timestamp` the server's), with no consumer checkpoint written. With
 * `errors`, it also stores error messages that carry `source` and `message`, with its idle gap.
 */
export async function startAppV2StandIn(
  redisUrl: string,
  errors?: StandInErrors,
): Promise<{ url: string; errorsSeen: () => readonly string[]; close(): Promise<void> }> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  const sub = new Redis(redisUrl);
  sub.on('message', (_channel: string, text: string) => {
    const message = JSON.parse(text) as { data?: { pattern?: string; symbol?: string } };
    io.emit('pattern_alert', {
      type: 'pattern_alert',
      pattern: message.data?.pattern,
      symbol: message.data?.symbol,
      event_data: { type: 'pattern_detected', data: message },
      timestamp: Date.now() / 1000,
    });
  });
  await sub.subscribe(CHANNELS.patterns);
  const errorSubscriber = errors === undefined ? undefined : await subscribeErrors(redisUrl, errors);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    errorsSeen: () => errorSubscriber?.seen ?? [],
    close: async () => {
      sub.disconnect();
      await errorSubscriber?.close();
      await io.close();
    },
  };
}

async function subscribeErrors(redisUrl: string, options: StandInErrors) {
  const db = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${options.table} (id serial PRIMARY KEY, source text NOT NULL, message text NOT NULL, severity text)`,
  );
  const sub = new Redis(redisUrl);
  const seen: string[] = [];
  const stores: Promise<unknown>[] = [];
  let idle: NodeJS.Timeout | undefined;
  let back: NodeJS.Timeout | undefined;
  const armIdle = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      void sub.unsubscribe(CHANNELS.errors);
      back = setTimeout(() => void sub.subscribe(CHANNELS.errors).then(armIdle), options.resubscribeAfterMs);
    }, options.idleDropMs);
  };
  sub.on('message', (_channel: string, text: string) => {
    armIdle();
    const m = JSON.parse(text) as { source?: unknown; message?: unknown; severity?: unknown };
    if (typeof m.source !== 'string' || typeof m.message !== 'string') return; // refused
    seen.push(m.message);
    stores.push(
      db.query(`INSERT INTO ${options.table} (source, message, severity) VALUES ($1, $2, $3)`, [
        m.source,
        m.message,
        typeof m.severity === 'string' ? m.severity : null,
      ]),
    );
  });
  await sub.subscribe(CHANNELS.errors);
  armIdle();
  return {
    seen,
    close: async () => {
      clearTimeout(idle);
      clearTimeout(back);
      sub.disconnect();
      await Promise.allSettled(stores);
      await db.end();
    },
  };
}
