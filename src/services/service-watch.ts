import { connect } from 'node:net';

export interface WatchedService {
  readonly name: string;
  readonly url: string;
}

export interface ServiceChange {
  readonly name: string;
  /** host:port */
  readonly where: string;
  readonly up: boolean;
  readonly at: Date;
}

const DEFAULT_PORTS: Record<string, number> = { 'redis:': 6379, 'rediss:': 6379 };
const POSTGRES_PORT = 5432;

/** Whether something accepts a TCP connection at host:port within `timeoutMs`. */
function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * Polls each service's port and reports when one stops answering and when it answers again (a
 * server restarted by hand on the same port counts as back). Its timer keeps the process alive:
 * signal listeners alone do not, and a command waiting for Ctrl+C used to exit (code 13) once its
 * children were gone.
 */
export function watchServices(
  services: readonly WatchedService[],
  onChange: (change: ServiceChange) => void,
  intervalMs: number,
): { stop(): void } {
  const state = new Map<string, boolean>(services.map((s) => [s.name, true]));
  let checking = false;
  const check = async (): Promise<void> => {
    checking = true;
    await Promise.all(
      services.map(async ({ name, url }) => {
        const { hostname, protocol, port: given } = new URL(url);
        const port = Number(given) || (DEFAULT_PORTS[protocol] ?? POSTGRES_PORT);
        const up = await answers(hostname, port, intervalMs);
        if (up === state.get(name)) return;
        state.set(name, up);
        onChange({ name, where: `${hostname}:${port}`, up, at: new Date() });
      }),
    );
    checking = false;
  };
  const timer = setInterval(() => {
    if (!checking) void check();
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
