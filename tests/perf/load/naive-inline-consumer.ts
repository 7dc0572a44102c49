import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { Server } from 'socket.io';
import { CHANNELS } from '../../../src/contract/channels.ts';
import { validateMessage } from '../../../src/contract/validate.ts';

/**
 * For comparison only: the design spec 002 measured, a consumer that awaits one INSERT per
 * checkpoint (through log_integration_event, as TickStockAppV2 did) before it moves on and emits.
 */
export async function startNaiveInlineConsumer(
  redisUrl: string,
  db: pg.Pool,
): Promise<{ url: string; written: () => number; close: () => Promise<void> }> {
  const http = createServer();
  const io = new Server(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const sub = new Redis(redisUrl);
  let written = 0;
  const log = async (
    flowId: string,
    checkpoint: string,
    symbol: string,
    pattern: string,
    confidence: number,
    users: number | null,
  ) => {
    await db.query('SELECT log_integration_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
      flowId,
      'pattern_detected',
      'TickStockAppV2',
      checkpoint,
      CHANNELS.patterns,
      symbol,
      pattern,
      confidence,
      users,
      '{}',
    ]);
    written += 1;
  };
  sub.on('messageBuffer', (_channel: Buffer, payload: Buffer) => {
    void (async () => {
      const verdict = validateMessage(payload, { channel: CHANNELS.patterns });
      if (!verdict.ok || verdict.kind !== 'pattern_detected') return;
      const e = verdict.message;
      const { flow_id, symbol, pattern, confidence } = e.data;
      await log(flow_id, 'EVENT_RECEIVED', symbol, pattern, confidence, null);
      await log(flow_id, 'EVENT_PARSED', symbol, pattern, confidence, null);
      const users = io.of('/').sockets.size;
      io.emit('pattern_alert', e);
      await log(flow_id, 'WEBSOCKET_DELIVERED', symbol, pattern, confidence, users);
    })().catch(() => undefined);
  });
  await sub.subscribe(CHANNELS.patterns);
  const address = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    written: () => written,
    close: async () => {
      sub.disconnect();
      await new Promise<void>((resolve) => void io.close(() => resolve()));
    },
  };
}
