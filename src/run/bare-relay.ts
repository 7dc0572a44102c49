import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { SOCKET_EVENTS } from '../contract/socket-events.ts';

/** The channel of the floor's messages: never the patterns channel a consumer under test reads. */
export const FLOOR_CHANNEL = 'tickstock.floor.patterns';

/**
 * The floor's consumer: bare ioredis SUBSCRIBE → JSON.parse → Socket.IO emit, none of our code. The
 * same load through it, measured by the same clients, is this machine's floor.
 */
export async function startBareRelay(
  redisUrl: string,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const http = createServer();
  const io = new Server(http);
  const sub = new Redis(redisUrl);
  sub.on('message', (_channel: string, payload: string) =>
    io.emit(SOCKET_EVENTS.patternAlert, JSON.parse(payload)),
  );
  await sub.subscribe(FLOOR_CHANNEL);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: async () => {
      sub.disconnect();
      await io.close();
    },
  };
}
