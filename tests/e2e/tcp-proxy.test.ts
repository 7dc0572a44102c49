import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { faultLinks } from '../../src/cli/fault-links.ts';
import { freePort } from '../../src/services/free-port.ts';
import { startTcpProxy, type TcpProxy } from '../../src/services/tcp-proxy.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { withDeadline } from '../support/wait-for.ts';

const random = seededRandom(inject('seed'));
let echo: Server;
let proxy: TcpProxy;
beforeAll(async () => {
  echo = createServer((s) => s.pipe(s)).listen(0, '127.0.0.1');
  await once(echo, 'listening');
  proxy = await startTcpProxy({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port }, () =>
    random.next(),
  );
});
afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

const connect = async (): Promise<Socket> => {
  const s = createConnection({ host: '127.0.0.1', port: proxy.port });
  await once(s, 'connect');
  return s;
};

/** Sends `text` and resolves with the echo and how long it took, ms. */
async function roundTrip(s: Socket, text: string): Promise<{ echoed: string; ms: number }> {
  const started = performance.now();
  let echoed = '';
  const done = new Promise<void>((resolve) => {
    const take = (chunk: Buffer): void => {
      echoed += chunk.toString();
      if (echoed.length < text.length) return;
      s.off('data', take);
      resolve();
    };
    s.on('data', take);
  });
  s.write(text);
  await done;
  return { echoed, ms: performance.now() - started };
}

describe('the fault proxy', () => {
  test('latency delays each direction, keeps order, and its backlog goes out when the link is clear', async () => {
    const s = await connect();
    try {
      proxy.shape({ latencyMs: 40, jitterMs: 5 });
      const slow = await withDeadline(roundTrip(s, 'abc'), 5000, 'the delayed echo');
      expect(slow.echoed).toBe('abc');
      expect(slow.ms).toBeGreaterThanOrEqual(70); // 35 ms at least each way
      // Held for 2 s, then the link is cleared: what it held goes out at once.
      proxy.shape({ latencyMs: 2000 });
      const held = roundTrip(s, 'def');
      setTimeout(() => proxy.shape({}), 50);
      const released = await withDeadline(held, 5000, 'the held echo');
      expect(released.echoed).toBe('def');
      expect(released.ms).toBeLessThan(1500);
    } finally {
      s.destroy();
    }
  });

  test('a cut ends the connections already open and refuses new ones until the link is back', async () => {
    const s = await connect();
    const closed = once(s, 'close');
    const cut = proxy.cut(300);
    await withDeadline(closed, 2000, 'the open connection to be cut');
    const refused = createConnection({ host: '127.0.0.1', port: proxy.port });
    refused.on('error', () => undefined);
    await withDeadline(once(refused, 'close'), 2000, 'a connection during the cut to be refused');
    await cut;
    const after = await connect();
    try {
      expect((await withDeadline(roundTrip(after, 'back'), 5000, 'the echo after the cut')).echoed).toBe(
        'back',
      );
    } finally {
      after.destroy();
    }
  });
});

describe("a consumer the run did not start, on the run's link ports", () => {
  test('it is waited for within a bound; none connecting is a coded error (exit 3), never a hang', async () => {
    const links = faultLinks([], 1);
    const port = (echo.address() as AddressInfo).port;
    const linkPort = await freePort();
    try {
      const waited = links.openForConsumer({ redis: linkPort }, { redis: `redis://127.0.0.1:${port}` }, 300);
      await expect(waited).rejects.toMatchObject({ code: 'RUN_LINK_IDLE', exitCode: 3 });
      // Listening on the port the consumer is told, and forwarding once it connects.
      const s = createConnection({ host: '127.0.0.1', port: linkPort });
      await once(s, 'connect');
      await links.proxies.redis!.firstConnection();
      s.destroy();
      await expect(links.via('redis', 'redis://127.0.0.1:1', linkPort)).rejects.toMatchObject({
        code: 'RUN_FAULT',
      });
    } finally {
      await links.close();
    }
  });
});
