import { createConnection, createServer, type Socket } from 'node:net';

/** What a proxy does to the bytes it forwards, until told otherwise. */
export interface LinkShape {
  /** Added to each chunk, ms, ± `jitterMs` (drawn from the proxy's seeded source). */
  readonly latencyMs?: number;
  readonly jitterMs?: number;
  /** Bytes per second each way, per connection. */
  readonly bytesPerSecond?: number;
}

export interface TcpProxy {
  /** `127.0.0.1:PORT`, where clients of the link connect instead of the target. */
  readonly address: string;
  readonly port: number;
  /** Destroys every open connection and refuses new ones for `ms` (a cut link, not a slow one). */
  cut(ms: number): Promise<void>;
  /** Shapes what it forwards from now on (in flight and new connections); `{}` forwards as is. */
  shape(shape: LinkShape): void;
  /** Resolves at its first connection from a client of the link. */
  firstConnection(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One direction of a connection: each chunk is released at its time (the latency drawn for it, after
 * the previous chunk, so order holds; at the link's rate), or at once when the link is not shaped.
 * `flush` writes what is held at once: a link back to full speed drains its backlog as a real one would.
 */
function forward(from: Socket, to: Socket, shapeOf: () => LinkShape, random: () => number) {
  let releaseAt = 0;
  const held: { chunk: Buffer; timer: NodeJS.Timeout }[] = [];
  const release = (): void => {
    const next = held.shift();
    if (next !== undefined && !to.destroyed) to.write(next.chunk);
  };
  from.on('data', (chunk: Buffer) => {
    const { latencyMs = 0, jitterMs = 0, bytesPerSecond } = shapeOf();
    if (latencyMs === 0 && bytesPerSecond === undefined && held.length === 0) {
      to.write(chunk);
      return;
    }
    const delay = Math.max(0, latencyMs + (random() * 2 - 1) * jitterMs);
    const transfer = bytesPerSecond === undefined ? 0 : (chunk.length / bytesPerSecond) * 1000;
    releaseAt = Math.max(releaseAt, Date.now() + delay) + transfer;
    held.push({ chunk, timer: setTimeout(release, releaseAt - Date.now()) });
  });
  from.on('end', () => to.end());
  return {
    flush(): void {
      for (const h of held) clearTimeout(h.timer);
      while (held.length > 0) release();
      releaseAt = 0;
    },
  };
}

/**
 * A TCP proxy in front of `target` (host:port) that the run's net: faults act on. A cut destroys the
 * connections already open, as a pulled cable would (Toxiproxy's timeout toxic leaves them open), and
 * refuses new ones until the link is back.
 */
export async function startTcpProxy(
  target: { readonly host: string; readonly port: number },
  random: () => number,
  listenPort = 0,
): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const directions = new Set<ReturnType<typeof forward>>();
  let shape: LinkShape = {};
  let cutUntil = 0;
  let connected = (): void => undefined;
  const first = new Promise<void>((resolve) => (connected = resolve));
  const server = createServer((client) => {
    if (Date.now() < cutUntil) return void client.destroy();
    connected();
    const upstream = createConnection(target);
    for (const s of [client, upstream]) {
      open.add(s);
      s.setNoDelay(true);
      s.on('close', () => open.delete(s));
      // Either side failing ends the pair, as a broken link would.
      s.on('error', () => undefined);
      s.on('close', () => (s === client ? upstream : client).destroy());
    }
    const ways = [
      forward(client, upstream, () => shape, random),
      forward(upstream, client, () => shape, random),
    ];
    ways.forEach((w) => directions.add(w));
    client.on('close', () => ways.forEach((w) => directions.delete(w)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // a port in use, say
    server.listen(listenPort, '127.0.0.1', () => (server.off('error', reject), resolve()));
  });
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    port,
    async cut(ms) {
      cutUntil = Date.now() + ms;
      for (const s of open) s.destroy();
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    firstConnection: () => first,
    shape(next) {
      shape = next;
      if (next.latencyMs === undefined && next.bytesPerSecond === undefined)
        directions.forEach((d) => d.flush());
    },
    async close() {
      for (const s of open) s.destroy();
      if (server.listening) await new Promise((resolve) => server.close(resolve));
    },
  };
}
