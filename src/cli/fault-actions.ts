import { Redis } from 'ioredis';
import { CHANNELS } from '../contract/channels.ts';
import { processTree, signalAll } from '../services/pid-control.ts';
import type { ServiceSet } from '../services/provider.ts';
import type { ServiceControl } from '../services/running-service.ts';
import type { LinkShape, TcpProxy } from '../services/tcp-proxy.ts';
import type { InjectFault } from '../run/fault-runner.ts';
import { type FaultLink, type FaultSpec, type ScheduledFault } from '../run/fault-schedule.ts';
import { RunUsageError } from '../run/run-error.ts';
import type { TimerClock } from '../shared/clock.ts';

/** The consumer a run started, as its faults need it. */
export interface FaultableConsumer {
  killAndStart(): Promise<void>;
  restart(): Promise<void>;
  pid(): number;
}

interface FaultTargets {
  /** What the run started (--start reference); undefined: an external consumer, links only. */
  readonly started?: { readonly services: ServiceSet; readonly consumer: FaultableConsumer };
  /** The proxies on the links the schedule's net: faults name. */
  readonly links: Partial<Record<FaultLink, TcpProxy>>;
  readonly clock: TimerClock;
}

const control = (services: ServiceSet, which: 'redis' | 'postgres'): ServiceControl => {
  const c = services[which].control;
  // Checked before the load by checkFaultable; a container's server cannot be signalled by PID.
  if (c === undefined) throw new Error(`${which} cannot be controlled here`);
  return c;
};

/**
 * Refuses, before any load, process faults on services the run started as containers (it cannot stop or
 * signal their servers by PID).
 */
export function checkFaultable(faults: readonly FaultSpec[], services: ServiceSet): void {
  for (const f of faults) {
    const service = f.kind.split(':')[0];
    if (
      services !== undefined &&
      (service === 'redis' || service === 'postgres') &&
      services[service].control === undefined
    )
      throw new RunUsageError(
        'RUN_FAULT',
        `fault '${f.spec}': ${service} runs as a ${services[service].origin} server here, which the run cannot stop or signal`,
        'Run with HARNESS_SERVICES=local (private redis-server and postgres processes) to inject process faults.',
      );
  }
}

/** A private connection for some admin commands, closed after them. */
async function withRedisAdmin<T>(url: string, work: (admin: Redis) => Promise<T>): Promise<T> {
  const admin = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await admin.connect();
    return await work(admin);
  } finally {
    admin.disconnect();
  }
}

const redisAdmin = (url: string, ...args: string[]): Promise<unknown> =>
  withRedisAdmin(url, (admin) => admin.call(args[0]!, ...args.slice(1)));

const SLOW_READER_LIMIT = 'pubsub 64kb 0 0';
// Padding that fills the kernel's socket buffers (megabytes on loopback) before Redis's own buffer passes
// the limit: at a modest event rate that would take minutes. Not JSON: the consumer rejects what it reads.
const PADDING = 'x'.repeat(256 * 1024);
const SLOW_READER_DEADLINE_MS = 30_000;
const POLL_MS = 50;

/**
 * The output-buffer-limit case: with a small pub-sub limit, the consumer stops reading (SIGSTOP, as a
 * blocked event loop would) and padding is published on the patterns channel until Redis drops its
 * subscriber for the buffer it let grow; then the consumer goes on and subscribes again.
 */
async function dropSlowSubscriber(url: string, consumerPid: number, clock: TimerClock): Promise<void> {
  await withRedisAdmin(url, async (admin) => {
    const subscribers = async () =>
      (String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).match(/^id=/gm) ?? []).length;
    const [, saved] = (await admin.call('CONFIG', 'GET', 'client-output-buffer-limit')) as [string, string];
    const before = await subscribers();
    await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', SLOW_READER_LIMIT);
    signalAll([consumerPid], 'SIGSTOP');
    try {
      const deadline = clock.now() + SLOW_READER_DEADLINE_MS;
      while ((await subscribers()) >= before && clock.now() < deadline) {
        await admin.publish(CHANNELS.patterns, PADDING);
        await new Promise<void>((resolve) => clock.after(POLL_MS, resolve));
      }
    } finally {
      signalAll([consumerPid], 'SIGCONT');
      await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', saved);
    }
  });
}

/** Stops every process of the server (its main one and those it forked) for `ms`, then lets them go on. */
async function freeze(pid: number, ms: number, clock: TimerClock): Promise<void> {
  const pids = await processTree(pid);
  signalAll(pids, 'SIGSTOP');
  try {
    await new Promise<void>((resolve) => clock.after(ms, resolve));
  } finally {
    signalAll(pids, 'SIGCONT');
  }
}

/** Each fault: process faults on what the run started (`--start reference`), net: faults on its proxies. */
export function faultInjector({ started, links, clock }: FaultTargets): InjectFault {
  const wait = (ms: number) => new Promise<void>((resolve) => clock.after(ms, resolve));
  // Process faults are refused before the run on what it did not start (checkFaultTargets).
  const own = (): NonNullable<FaultTargets['started']> => {
    if (started === undefined) throw new Error('not a process this run started');
    return started;
  };
  const link = (fault: ScheduledFault): TcpProxy => {
    const proxy = fault.link === undefined ? undefined : links[fault.link];
    if (proxy === undefined) throw new Error(`no proxy on the ${fault.link ?? '?'} link`);
    return proxy;
  };
  const shapeFor = async (proxy: TcpProxy, shape: LinkShape, ms: number): Promise<void> => {
    proxy.shape(shape);
    try {
      await wait(ms);
    } finally {
      proxy.shape({});
    }
  };
  const restartFor = async (c: ServiceControl, ms: number): Promise<void> => {
    await c.stop();
    await wait(ms);
    await c.start();
  };
  return async (fault: ScheduledFault): Promise<void> => {
    switch (fault.kind) {
      case 'redis:restart':
        return restartFor(control(own().services, 'redis'), fault.forMs);
      case 'redis:pause':
        // CLIENT PAUSE ALL holds every client's commands, the consumer's and the publisher's.
        await redisAdmin(own().services.redis.url, 'CLIENT', 'PAUSE', String(fault.forMs), 'ALL');
        return wait(fault.forMs);
      case 'redis:kill-subscriber':
        return fault.viaBuffer === true
          ? dropSlowSubscriber(own().services.redis.url, own().consumer.pid(), clock)
          : redisAdmin(own().services.redis.url, 'CLIENT', 'KILL', 'TYPE', 'pubsub').then(() => undefined);
      case 'postgres:stop':
        return restartFor(control(own().services, 'postgres'), fault.forMs);
      case 'postgres:freeze':
        return freeze(control(own().services, 'postgres').pid, fault.forMs, clock);
      case 'consumer:kill':
        return own().consumer.killAndStart();
      case 'consumer:restart':
        return own().consumer.restart();
      case 'net:cut':
        return link(fault).cut(fault.forMs);
      case 'net:latency':
        return shapeFor(
          link(fault),
          { latencyMs: fault.latency?.ms, jitterMs: fault.latency?.jitterMs },
          fault.forMs,
        );
      case 'net:bandwidth':
        return shapeFor(link(fault), { bytesPerSecond: fault.bytesPerSecond }, fault.forMs);
      case 'clients:drop':
        throw new Error("clients:drop is the run's own (its clients workers)");
    }
  };
}
