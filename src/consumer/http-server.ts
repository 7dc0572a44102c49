import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Namespace } from 'socket.io';
import {
  NAMESPACES,
  type ClientEvents,
  type MainServerEvents,
  type MonitoringServerEvents,
} from '../contract/socket-events.ts';

export type Route = (req: IncomingMessage, url: URL) => Promise<RouteResponse> | undefined;

export interface RouteResponse {
  readonly status: number;
  readonly type: string;
  readonly body: string | Buffer;
  /** The body is gzip-compressed (only when the request accepted it). */
  readonly gzip?: boolean;
}

export interface ConsumerServer {
  readonly http: HttpServer;
  readonly main: Namespace<ClientEvents, MainServerEvents>;
  readonly monitoring: Namespace<ClientEvents, MonitoringServerEvents>;
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, gzip = false): void {
  res.writeHead(status, {
    'content-length': Buffer.byteLength(body),
    ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** node:http plus Socket.IO on `/` and `/monitoring`; routes are tried in order, then 404. */
export function createConsumerServer(routes: readonly Route[]): ConsumerServer {
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handled = routes.reduce<ReturnType<Route>>((found, route) => found ?? route(req, url), undefined);
    if (handled === undefined)
      return send(res, 404, 'application/json', JSON.stringify({ error: `no route for ${url.pathname}` }));
    handled.then(
      (r) => send(res, r.status, r.type, r.body, r.gzip),
      (error: unknown) =>
        send(res, 500, 'application/json', JSON.stringify({ error: (error as Error).message })),
    );
  });
  const io = new Server<ClientEvents, MainServerEvents>(http, { serveClient: true, cors: undefined });
  const main = io.of(NAMESPACES.main);
  const monitoring = io.of(NAMESPACES.monitoring) as unknown as Namespace<
    ClientEvents,
    MonitoringServerEvents
  >;
  return {
    http,
    main,
    monitoring,
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => resolve(http.address() as AddressInfo));
      }),
    close: () =>
      new Promise((resolve) => {
        void io.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

export const json = (body: unknown, status = 200) =>
  Promise.resolve({ status, type: 'application/json', body: JSON.stringify(body) });
