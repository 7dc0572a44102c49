import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { CHANNELS } from '../../src/contract/channels.ts';

/**
 * A stand-in for TickStockAppV2 as deployed, as far as a load run sees it: each published pattern
 * is pushed as `pattern_alert` on `/`, wrapped as that consumer wraps it (the published message in
 * `event_data.data`, its own `timestamp` the server's), with no consumer checkpoint written.
 */
export async function startAppV2StandIn(redisUrl: string): Promise<{ url: string; close(): Promise<void> }> {
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
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: async () => {
      sub.disconnect();
      await io.close();
    },
  };
}
