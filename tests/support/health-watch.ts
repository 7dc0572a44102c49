import { setTimeout as delay } from 'node:timers/promises';

export interface HealthSeen {
  readonly probes: number;
  readonly slowestMs: number;
  /** The answer time 95 % of probes beat. */
  readonly p95Ms: number;
  /** Probes that got no 200: when, and what came instead. */
  readonly failures: readonly string[];
  describe(): string;
}

export interface HealthWatch {
  /** Ends the probing (safe twice) and tells what it saw. */
  stop(): Promise<HealthSeen>;
}

const PROBE_EVERY_MS = 20;

/**
 * Asks `url` every 20 ms, one request at a time, until stopped: how slow it got, and what failed. The
 * first answer, awaited here, is not timed: it carries the connection's setup and first-call compiling.
 */
export async function watchHealth(url: string): Promise<HealthWatch> {
  await fetch(url).then((res) => res.arrayBuffer());
  const startedAt = Date.now();
  let stopping = false;
  let probes = 0;
  const timesMs: number[] = [];
  const failures: string[] = [];
  const probe = async (): Promise<void> => {
    const t0 = performance.now();
    const status = await fetch(url, { signal: AbortSignal.timeout(5000) }).then(
      async (res) => (await res.arrayBuffer(), res.status),
      (error: Error) => error.message,
    );
    timesMs.push(performance.now() - t0);
    probes += 1;
    if (status !== 200) failures.push(`at ${Date.now() - startedAt} ms: ${status}`);
  };
  const loop = (async () => {
    while (!stopping) {
      await probe();
      await delay(PROBE_EVERY_MS); // pacing, not waiting for anything
    }
  })();
  const seen: HealthSeen = {
    get probes() {
      return probes;
    },
    get slowestMs() {
      return Math.max(0, ...timesMs);
    },
    get p95Ms() {
      const sorted = [...timesMs].sort((a, b) => a - b);
      return sorted[Math.ceil(sorted.length * 0.95) - 1] ?? 0;
    },
    failures,
    describe: () =>
      `${probes} /health probes: p95 ${seen.p95Ms.toFixed(1)} ms, slowest ${seen.slowestMs.toFixed(1)} ms, ${failures.length} failed`,
  };
  return {
    stop: async () => {
      stopping = true;
      await loop;
      return seen;
    },
  };
}
