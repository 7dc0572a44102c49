import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { systemClock } from '../../../src/shared/clock.ts';
import { afterPrecisely } from '../../../src/shared/precise-timer.ts';
import { formatMs, LatencyHistogram, type LatencySummary } from '../../../src/shared/latency-histogram.ts';
import type { BareRelayConfig } from './bare-relay-process.ts';
import { clientsHandle, warmUp } from './clients-handle.ts';
import type { ClientsProcessConfig } from './clients-process.ts';
import { forkTs, nextMessage } from './ipc.ts';

/** This machine without our code: what any harness would see here, printed beside our figures. */
export interface MachineFloor {
  readonly rate: number;
  readonly clients: number;
  /** Bare PUBLISH → SUBSCRIBE → socket.io emit → client, timed from the intended send time. */
  readonly publishToClient: LatencySummary;
  /** The same during the warm-up before it (cold processes): not in the figures. */
  readonly warmup: LatencySummary;
  /** How late the bare publisher itself was. */
  readonly publisherLateness: LatencySummary;
  /** How late a 1 ms timer wakes this process. */
  readonly timerLateness: LatencySummary;
  /** One 8 KiB write + fsync on the disk of the run directory. */
  readonly fsync: LatencySummary;
}

export const FLOOR_CHANNEL = 'tickstock.floor';
const FSYNC_SAMPLES = 100;
const TIMER_MS = 2000;

async function timerLateness(durationMs: number): Promise<LatencySummary> {
  const h = new LatencyHistogram();
  const end = systemClock.now() + durationMs;
  while (systemClock.now() < end) {
    const due = systemClock.now() + 1;
    await sleep(1);
    h.record(systemClock.now() - due);
  }
  return h.summary();
}

async function fsyncTime(dir: string): Promise<LatencySummary> {
  const h = new LatencyHistogram();
  const file = await open(join(dir, 'floor-fsync'), 'w');
  const block = Buffer.alloc(8192, 1);
  try {
    for (let i = 0; i < FSYNC_SAMPLES; i++) {
      const t = systemClock.now();
      await file.write(block);
      await file.sync();
      h.record(systemClock.now() - t);
    }
  } finally {
    await file.close();
  }
  return h.summary();
}

/** A pattern-sized message stamped with its intended send time (the clients measure from it). */
const message = (intendedMs: number, n: number): string =>
  JSON.stringify({
    event_type: 'pattern_detected',
    source: 'floor',
    timestamp: intendedMs / 1000,
    data: { symbol: 'AAPL', pattern: 'Volume_Spike', confidence: 0.9, flow_id: String(n), tier: 'daily' },
  });

/** Open loop like the simulator's, nothing else: every due message PUBLISHed at each wake. */
export async function barePublish(
  redis: Redis,
  rate: number,
  durationMs: number,
): Promise<{ readonly sent: number; readonly lateness: LatencySummary }> {
  const lateness = new LatencyHistogram();
  const start = systemClock.now();
  const total = Math.round((rate * durationMs) / 1000);
  const replies: Promise<number>[] = [];
  let n = 0;
  while (n < total) {
    const now = systemClock.now();
    for (; n < total && start + (n * 1000) / rate <= now; n++) {
      const intended = start + (n * 1000) / rate;
      replies.push(redis.publish(FLOOR_CHANNEL, message(intended, n)));
      lateness.record(now - intended);
    }
    // Paced as the harness's generators are, so that comparing with them compares the measuring alone.
    const wait = Math.max(0, start + (n * 1000) / rate - systemClock.now());
    await new Promise<void>((resolve) => afterPrecisely(systemClock, wait, resolve));
  }
  await Promise.all(replies);
  return { sent: total, lateness: lateness.summary() };
}

async function bareFlow(redisUrl: string, rate: number, durationMs: number, clients: number) {
  const relay = forkTs(new URL('./bare-relay-process.ts', import.meta.url), {
    redisUrl,
    channel: FLOOR_CHANNEL,
  } satisfies BareRelayConfig);
  const ready = await nextMessage(relay, 'ready', 30_000);
  const url = ready.type === 'ready' ? ready.url! : '';
  const socketsProcess = forkTs(new URL('./clients-process.ts', import.meta.url), {
    url,
    clients,
  } satisfies ClientsProcessConfig);
  const sockets = clientsHandle(socketsProcess);
  const redis = new Redis(redisUrl, { enableAutoPipelining: true });
  try {
    await nextMessage(socketsProcess, 'ready', 30_000);
    const warmup = await warmUp(sockets, async (ms) => (await barePublish(redis, rate, ms)).sent);
    const published = await barePublish(redis, rate, durationMs);
    await sockets.untilReceived(published.sent);
    relay.send({ type: 'stop' });
    const result = await sockets.stop();
    return { publishToClient: result.latency, warmup, publisherLateness: published.lateness };
  } finally {
    redis.disconnect();
    for (const child of [socketsProcess, relay]) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** Measures the floor for one rate and number of clients; `dir` takes the fsync file. */
export async function measureFloor(options: {
  readonly redisUrl: string;
  readonly rate: number;
  readonly durationMs: number;
  readonly clients: number;
  readonly dir: string;
}): Promise<MachineFloor> {
  const timer = await timerLateness(TIMER_MS);
  const fsync = await fsyncTime(options.dir);
  const flow = await bareFlow(options.redisUrl, options.rate, options.durationMs, options.clients);
  return { rate: options.rate, clients: options.clients, ...flow, timerLateness: timer, fsync };
}

/** One line, as printed beside the harness's figures. */
export function formatFloor(f: MachineFloor): string {
  const p = f.publishToClient;
  return `${String(f.rate).padStart(6)}/s x ${f.clients} clients [floor: bare ioredis → socket.io]: publish→client p50 ${formatMs(p.p50)} p99 ${formatMs(p.p99)} p99.9 ${formatMs(p.p999)} max ${formatMs(p.max)} (warm-up p99 ${formatMs(f.warmup.p99)}) | publisher late p99 ${formatMs(f.publisherLateness.p99)} | 1 ms timer late p99 ${formatMs(f.timerLateness.p99)} | fsync p50 ${formatMs(f.fsync.p50)} p99 ${formatMs(f.fsync.p99)}`;
}
