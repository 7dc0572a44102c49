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
}

/** One pattern a client received: which flow, and when it was meant to be sent and was received. */
export interface PatternReceipt {
  readonly client: number;
  readonly flowId: string;
  readonly intendedAtMs: number;
  readonly receivedAtMs: number;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

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
): Promise<{ close(): void }> {
  const { namespace, event, flowIdPath, sentAtPath } = profile.patterns;
  const url = new URL(namespace, target.url).toString();
  const sockets: Socket[] = [];
  const handshakes: Promise<void>[] = [];
  const close = (): void => sockets.forEach((s) => s.disconnect());
  for (let client = 0; client < count; client++) {
    const socket = io(url, {
      path: target.path,
      auth: target.token === undefined ? {} : { token: target.token },
      transports: ['websocket'],
      reconnection: true,
      timeout: HANDSHAKE_TIMEOUT_MS,
    });
    sockets.push(socket);
    handshakes.push(connected(socket, url));
    socket.on(event, (payload: unknown) => {
      const receivedAtMs = deps.clock.now();
      const flowId = flowIdPath === undefined ? findKey(payload, 'flow_id') : valueAt(payload, flowIdPath);
      const sentAt = valueAt(payload, sentAtPath);
      if (typeof flowId !== 'string' || typeof sentAt !== 'number') return deps.onUnreadable();
      deps.onPattern({ client, flowId, intendedAtMs: sentAt * 1000, receivedAtMs });
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
  return { close };
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
