import type { Socket } from 'socket.io-client';
import type { MainServerEvents } from '../../src/contract/socket-events.ts';
import { withDeadline } from './wait-for.ts';

type Payload<E extends keyof MainServerEvents> = Parameters<MainServerEvents[E]>[0];

/** The next `name` event on a browser socket, or a timeout naming it. */
export function nextEvent<E extends keyof MainServerEvents>(
  socket: Socket<MainServerEvents>,
  name: E,
  timeoutMs = 5000,
): Promise<Payload<E>> {
  const on = socket.once.bind(socket) as (event: string, listener: (payload: Payload<E>) => void) => void;
  return withDeadline(
    new Promise<Payload<E>>((resolve) => on(name, resolve)),
    timeoutMs,
    `${name} in the browser`,
  );
}
