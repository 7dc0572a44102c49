import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** Messages between the load orchestrator and its child processes. */
export type ToChild = { readonly type: 'stop' } | { readonly type: 'reset' };
export type FromChild<T> =
  | { readonly type: 'ready'; readonly url?: string }
  | { readonly type: 'progress'; readonly count: number }
  | { readonly type: 'result'; readonly result: T };

/** Forks a TypeScript module as its own process (its own core), with `config` as JSON in argv. */
export function forkTs(module: URL, config: unknown): ChildProcess {
  return fork(module.pathname, [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

export async function nextMessage<T>(
  child: ChildProcess,
  type: FromChild<T>['type'],
  timeoutMs: number,
): Promise<FromChild<T>> {
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    for (;;) {
      const [message] = (await Promise.race([
        once(child, 'message'),
        once(child, 'exit').then(([code]) => {
          throw new Error(`child exited (${String(code)}) while we waited for "${type}"`);
        }),
      ])) as [FromChild<T>];
      if (message.type === type) return message;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** In a child: the config it was forked with, and a typed send. */
export function childConfig<C>(): C {
  return JSON.parse(process.argv[2] ?? '{}') as C;
}

export function sendToParent<T>(message: FromChild<T>): void {
  process.send?.(message);
}

export function onStop(handler: () => Promise<void>): void {
  process.on('message', (m: ToChild) => {
    if (m.type === 'stop') void handler().then(() => process.disconnect());
  });
}

export function onReset(handler: () => void): void {
  process.on('message', (m: ToChild) => {
    if (m.type === 'reset') handler();
  });
}
