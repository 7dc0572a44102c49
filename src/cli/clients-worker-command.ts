import { fork, type ChildProcess } from 'node:child_process';
import { serveClientWorker, type ParentPort } from '../run/clients/client-worker.ts';
import { systemClock } from '../shared/clock.ts';

/** Forks this CLI as a clients worker (`tickstock __clients-worker`), talking over IPC. */
export function spawnClientsWorker(): ChildProcess {
  return fork(process.argv[1] ?? 'bin/tickstock.js', ['__clients-worker'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The worker's side: it serves its parent and ends with it. */
export function clientsWorkerCommand(): Promise<void> {
  // Ctrl+C reaches the whole terminal's process group: the parent decides when the clients stop.
  process.on('SIGINT', () => undefined);
  process.on('disconnect', () => process.exit(0));
  const port: ParentPort = {
    send: (message) => void process.send?.(message),
    on: (event, listener) => void process.on(event, listener),
  };
  serveClientWorker(port, systemClock);
  return new Promise(() => undefined); // runs until the parent disconnects
}
