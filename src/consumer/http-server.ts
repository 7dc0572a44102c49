import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../shared/logger.ts';
import { coalesceWebSocketWrites } from './coalesced-writes.ts';
import { Server, type Namespace, type ServerOptions } from 'socket.io';
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
  /** More headers: a page's own Content-Security-Policy instead of the one that allows nothing, a cache policy. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * On every response, Socket.IO's included: nothing loads, runs or frames it unless a page says so
 * (the dashboard allows its own inline code by hash).
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
} as const;

export interface ConsumerServer {
  readonly http: HttpServer;
  readonly main: Namespace<ClientEvents, MainServerEvents>;
  readonly monitoring: Namespace<ClientEvents, MonitoringServerEvents>;
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

function send(res: ServerResponse, r: RouteResponse): void {
  res.writeHead(r.status, {
    'content-length': Buffer.byteLength(r.body),
    ...(r.gzip === true ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
    'cache-control': 'no-store', // unless a route says its answer may be kept
    ...r.headers,
    'content-type': r.type,
  });
  res.end(r.body);
}

const problem = (status: number, error: string): RouteResponse => ({
  status,
  type: 'application/json',
  body: JSON.stringify({ error }),
});

/** The request's URL, or undefined for a target WHATWG URL refuses (`//`, `//a:99999`). */
function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function answer(routes: readonly Route[], req: IncomingMessage): Promise<RouteResponse> {
  const url = requestUrl(req);
  if (url === undefined) return Promise.resolve(problem(400, 'the request target is not a valid URL path'));
  const handled = routes.reduce<ReturnType<Route>>((found, route) => found ?? route(req, url), undefined);
  return handled ?? Promise.resolve(problem(404, `no route for ${url.pathname}`));
}

// node:http's own answers to these, kept.
const CLIENT_ERROR_STATUS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/** What node:http answers a request it cannot parse, with the security headers every answer has. */
function refuseMalformed(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? '400 Bad Request';
  const headers = Object.entries(SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status}\r\n${headers.join('')}connection: close\r\ncontent-length: 0\r\n\r\n`);
}

/** node:http plus Socket.IO on `/` and `/monitoring`; routes are tried in order, then 404. */
export function createConsumerServer(
  routes: readonly Route[],
  logger: Logger,
  adapter?: ServerOptions['adapter'],
): ConsumerServer {
  let failures = 0;
  // What went wrong stays in the log (a database's message names tables and values); the answer says where.
  const failed = (error: unknown, req: IncomingMessage): RouteResponse => {
    const ref = `${process.pid}-${(failures += 1)}`;
    logger.error({ err: (error as Error).message, ref, path: req.url }, 'request failed');
    return problem(500, `internal error ${ref}: the consumer's log has the details under that ref`);
  };
  const http = createServer((req, res) => {
    // A route that throws answers 500 like one that rejects: no request can end the process.
    new Promise<RouteResponse>((resolve) => resolve(answer(routes, req)))
      .then(
        (r) => send(res, r),
        (error: unknown) => send(res, failed(error, req)),
      )
      .catch(() => res.destroy()); // a response that cannot be written ends its connection, not the process
  });
  const io = new Server<ClientEvents, MainServerEvents>(http, {
    serveClient: false, // the dashboard's assets include the client
    cors: undefined,
    ...(adapter === undefined ? {} : { adapter }),
  });
  coalesceWebSocketWrites(io);
  // Socket.IO answers its own paths before the handler above: headers set here reach those too.
  http.prependListener('request', (_req, res: ServerResponse) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  });
  http.on('clientError', refuseMalformed);
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

export const json = (body: unknown, status = 200): Promise<RouteResponse> =>
  Promise.resolve({ status, type: 'application/json', body: JSON.stringify(body) });
