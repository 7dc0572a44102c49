import { io, type Socket } from 'socket.io-client';
import type { ConsumerProfile } from '../../contract/consumer-profiles.ts';
import { findKey, valueAt } from '../../contract/json-path.ts';
import { ServiceError } from '../../services/service-error.ts';
import type { Clock } from '../../shared/clock.ts';

export interface SocketTargetOptions {
  /** The consumer's Socket.IO origin, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  /** Socket.IO's HTTP path (default /socket.io). */
  readonly path: string | undefined;
  /** Sent as the handshake's `auth.token`, where the consumer asks for one. */
  readonly token: string | undefined;
  /** A group of consumers sharing their clients (`url` among them): worker i connects to group[i % n]. */
  readonly group?: readonly string[] | undefined;
  /** Extra HTTP headers on the handshake (with the websocket transport: on the upgrade request). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * One pattern a client received: which flow, and when. A run times latency from its own intended send
 * time (the generator told the workers), never from the payload: a replayed message keeps its recorded
 * timestamp, and a consumer may stamp its own. The demo, whose simulator stamps the intended time, times
 * from the payload as a page does.
 */
export interface PatternReceipt {
  readonly client: number;
  readonly flowId: string;
  readonly receivedAtMs: number;
  /** The payload's own publish time (epoch ms), where the profile's `sentAtPath` says. */
  readonly publishedAtMs: number;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface ConnectedClients {
  /** Cuts the first `count` clients' connections (a fault); resolves once they have reconnected. */
  drop(count: number): Promise<void>;
  close(): void;
}

/**
 * N Socket.IO clients, as browsers of the consumer under test, listening where its profile says
 * patterns arrive. Resolves once every client is connected; a refused or unanswered handshake is a
 * ServiceError (exit 3) before any load is sent.
 */
export async function connectClients(
  target: SocketTargetOptions,
  profile: ConsumerProfile,
  count: number,
  deps: {
    readonly clock: Clock;
    readonly onPattern: (receipt: PatternReceipt) => void;
    /** A payload on the pattern event without a flow id or publish time where the profile says. */
    readonly onUnreadable: () => void;
    /** An error pushed to a client where the profile says errors arrive (not listened to if absent). */
    readonly onError?: (client: number, errorId: string, receivedAtMs: number) => void;
  },
): Promise<ConnectedClients> {
  const { namespace, event, flowIdPath, sentAtPath } = profile.patterns;
  const url = new URL(namespace, target.url).toString();
  const sockets: Socket[] = [];
  const patternSockets: Socket[] = [];
  const handshakes: Promise<void>[] = [];
  const close = (): void => sockets.forEach((s) => s.disconnect());
  for (let client = 0; client < count; client++) {
    const socket = io(url, {
      path: target.path,
      auth: target.token === undefined ? {} : { token: target.token },
      transports: ['websocket'],
      ...(target.headers === undefined ? {} : { extraHeaders: { ...target.headers } }),
      reconnection: true,
      timeout: HANDSHAKE_TIMEOUT_MS,
    });
    sockets.push(socket);
    patternSockets.push(socket);
    handshakes.push(connected(socket, url));
    socket.on(event, (payload: unknown) => {
      const receivedAtMs = deps.clock.now();
      const flowId = flowIdPath === undefined ? findKey(payload, 'flow_id') : valueAt(payload, flowIdPath);
      const sentAt = valueAt(payload, sentAtPath);
      // No publish time where the profile says it is: the payload is not what the profile describes.
      if (typeof flowId !== 'string' || typeof sentAt !== 'number') return deps.onUnreadable();
      deps.onPattern({ client, flowId, receivedAtMs, publishedAtMs: sentAt * 1000 });
    });
    const { errors } = profile;
    const onError = deps.onError;
    if (errors === null || onError === undefined) continue;
    // Same origin: Socket.IO multiplexes this namespace over the client's one connection.
    const errorsUrl = new URL(errors.namespace, target.url).toString();
    const errorSocket = io(errorsUrl, {
      path: target.path,
      auth: target.token === undefined ? {} : { token: target.token },
      transports: ['websocket'],
      timeout: HANDSHAKE_TIMEOUT_MS,
    });
    sockets.push(errorSocket);
    handshakes.push(connected(errorSocket, errorsUrl));
    errorSocket.on(errors.event, (payload: unknown) => {
      const receivedAtMs = deps.clock.now();
      const id = errors.idPath === undefined ? findKey(payload, 'error_id') : valueAt(payload, errors.idPath);
      if (typeof id === 'string') onError(client, id, receivedAtMs);
    });
  }
  try {
    await Promise.all(handshakes);
  } catch (error) {
    close();
    throw error;
  }
  return {
    close,
    drop: (n) =>
      Promise.all(
        patternSockets.slice(0, n).map((socket) => {
          const back = new Promise<void>((resolve) => socket.io.once('reconnect', () => resolve()));
          socket.io.engine.close(); // as a lost connection: the manager reconnects, unlike disconnect()
          return back;
        }),
      ).then(() => undefined),
  };
}

function connected(socket: Socket, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error: Error) =>
      reject(
        new ServiceError(
          'SERVICES_UNREACHABLE',
          `Socket.IO at ${url} refused or did not answer the handshake: ${error.message}`,
          'Check --socketio-url and --socketio-path, and --token where the consumer asks for one.',
        ),
      ),
    );
  });
}
