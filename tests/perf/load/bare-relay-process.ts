/* The floor's consumer: bare ioredis SUBSCRIBE → JSON.parse → socket.io emit, none of our code. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { childConfig, onStop, sendToParent } from './ipc.ts';

export interface BareRelayConfig {
  readonly redisUrl: string;
  readonly channel: string;
}

const config = childConfig<BareRelayConfig>();
const http = createServer();
const io = new Server(http, { transports: ['websocket'] });
const sub = new Redis(config.redisUrl);
sub.on('message', (_channel: string, payload: string) => io.emit('pattern_alert', JSON.parse(payload)));
await sub.subscribe(config.channel);
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
sendToParent({ type: 'ready', url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` });
onStop(async () => {
  sub.disconnect();
  await io.close();
  sendToParent({ type: 'result', result: null });
});
