import { Redis } from 'ioredis';
import type pg from 'pg';
import type { StoredFigures } from '../contract/schemas/pipeline-aggregate.ts';
import type { PipelineReads } from '../consumer/pipeline-aggregate.ts';
import { dutyCycled } from '../shared/duty-cycled.ts';
import { snapshotReads } from './monitor-snapshot.ts';

export interface PipelineWindow {
  readonly windowSeconds: number;
  readonly settleMs: number;
  readonly incompleteLimit: number;
  readonly rejectedLimit: number;
  /** A part not answered by then goes out as unavailable; the aggregate never waits longer. */
  readonly deadlineMs: number;
  /**
   * The share of the time the window's read (flows, incomplete, hops) may take. Its cost grows with the
   * rows in the window: at 1,000 events/s it took 36 ms, and read every second it added 4 ms to the
   * pipeline's publish→client p99 on 2 cores (docs/performance.md). Between reads the last one is pushed.
   */
  readonly windowDuty: number;
  /** But the window's figures are never older than this (a slow database costs more than its duty then). */
  readonly windowMaxAgeMs: number;
}

// 10 s, as the demo's status line: a read of a minute took 1.2–3.8 s at 1,000 events/s (180,000 rows,
// three grouped scans), 10 s about 0.2 s. 3 s settle: a flow in flight, or whose rows a busy writer (or
// the producer, in its own process) has not written yet, is not called incomplete.
export const DEFAULT_PIPELINE_WINDOW: PipelineWindow = {
  windowSeconds: 10,
  settleMs: 3000,
  incompleteLimit: 10,
  rejectedLimit: 5,
  deadlineMs: 700,
  windowDuty: 0.01,
  windowMaxAgeMs: 5000,
};

/** Resolves with `promise`, or rejects after `ms` (the promise itself goes on). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The reads `tickstock monitor` makes (monitor-snapshot.ts), each bounded by `deadlineMs`: a slow or
 * stopped PostgreSQL or Redis leaves its parts null and named in `unavailable`. A part still running
 * from an earlier second is not asked again, so a frozen server never collects a queue of reads.
 */
export function createPipelineReads(
  deps: { db: pg.Pool; redis: Redis; now: () => number },
  options: PipelineWindow = DEFAULT_PIPELINE_WINDOW,
): PipelineReads {
  const running = new Map<string, number>();
  const minutes = options.windowSeconds / 60;
  const reads = () =>
    snapshotReads(deps, {
      windowMinutes: minutes,
      hopWindowMinutes: minutes,
      settleMs: options.settleMs,
      incompleteLimit: options.incompleteLimit,
    });
  const windowRead = dutyCycled(() => reads().window(), {
    duty: options.windowDuty,
    maxAgeMs: options.windowMaxAgeMs,
    now: deps.now,
  });
  return {
    async read() {
      const r = reads();
      const unavailable: StoredFigures['unavailable'] = [];
      // Parts read together (one query) are named one by one when they do not answer.
      const part = async <T>(
        names: string | readonly string[],
        store: string,
        read: () => Promise<T>,
      ): Promise<T | null> => {
        const all = typeof names === 'string' ? [names] : names;
        const name = all[0]!;
        const unanswered = (reason: string) => all.forEach((p) => unavailable.push({ part: p, reason }));
        const since = running.get(name);
        if (since !== undefined) {
          const s = ((deps.now() - since) / 1000).toFixed(0);
          unanswered(`${store} has not answered the read asked ${s} s ago`);
          return null;
        }
        const started = deps.now();
        running.set(name, started);
        const p = read().finally(() => running.delete(name));
        try {
          return await within(p, options.deadlineMs, store);
        } catch (error) {
          unanswered((error as Error).message);
          return null;
        }
      };
      const pg = 'PostgreSQL';
      const [window, rejected, producerAlive, consumer, keyAge, subscribers] = await Promise.all([
        part(['flows', 'incomplete', 'hops'], pg, windowRead),
        part('rejected', pg, () => r.rejected(options.rejectedLimit)),
        part('producer heartbeat', pg, r.producer),
        part('consumer heartbeat', pg, r.consumer),
        part('producer heartbeat key', 'Redis', r.producerKeyAgeSeconds),
        part('subscribers', 'Redis', r.subscribers),
      ]);
      const flows = window?.value.counts ?? null;
      const incomplete = window?.value.incomplete ?? null;
      const hops = window?.value.hops ?? null;
      return {
        windowSeconds: options.windowSeconds,
        settleSeconds: options.settleMs / 1000,
        flowsReadAt: window === null ? null : new Date(window.at).toISOString(),
        flows: flows && { complete: flows.complete, incomplete: flows.incomplete },
        incomplete:
          incomplete?.map((f) => ({
            flowId: f.flowId,
            symbol: f.symbol,
            pattern: f.pattern,
            startedAt: f.startedAt.toISOString(),
            lastCheckpoint: f.path.at(-1) ?? null,
            missing: f.missing,
            diagnosis: f.diagnosis,
          })) ?? null,
        rejected:
          rejected?.map((x) => ({ at: x.at.toISOString(), flowId: x.flowId, violations: x.violations })) ??
          null,
        hops: hops?.map((h) => ({ hop: h.hop, count: h.count, p50: h.p50, p99: h.p99 })) ?? null,
        producer:
          producerAlive === null && keyAge === null
            ? null
            : { keyAgeSeconds: keyAge, aliveAgeSeconds: producerAlive?.ageSeconds ?? null },
        consumerAliveAgeSeconds: consumer === null ? null : consumer.ageSeconds,
        subscribers,
        unavailable,
      };
    },
    close: () => deps.redis.disconnect(),
  };
}

/**
 * The reads for a consumer: its own pool, and a Redis client of their own (the subscription's
 * connection cannot GET). Its connection errors show as unavailable parts, not log lines.
 */
export function pipelineReadsOn(
  redisUrl: string,
  now: () => number,
  options: PipelineWindow = DEFAULT_PIPELINE_WINDOW,
) {
  return (db: pg.Pool): PipelineReads => {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    return createPipelineReads({ db, redis, now }, options);
  };
}
