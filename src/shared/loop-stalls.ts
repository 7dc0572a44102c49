import { LatencyHistogram } from './latency-histogram.ts';
import { mainThreadCpuClock } from './thread-cpu.ts';

export interface LoopStalls {
  /** How late a 10 ms tick came (wall clock: includes time the OS gave the cores to other processes). */
  readonly lag_p99_ms: number;
  readonly lag_max_ms: number;
  /**
   * The longest time the loop was held by this process's own work (a tick's lateness, bounded by the
   * CPU time its main thread used meanwhile): what a request waited for us, not for a busy machine.
   */
  readonly longest_block_ms: number;
}

const TICK_MS = 10;

/** Watches the event loop from a 10 ms timer that never keeps the process alive. */
export function watchLoopStalls(): { stalls(): LoopStalls; stop(): void } {
  const lag = new LatencyHistogram();
  let longestBlockMs = 0;
  let last = performance.now();
  const cpuNow = mainThreadCpuClock();
  let lastCpu = cpuNow();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = cpuNow();
    const lateMs = Math.max(0, now - last - TICK_MS);
    lag.record(lateMs);
    longestBlockMs = Math.max(longestBlockMs, Math.min(lateMs, Math.max(0, cpu - lastCpu - TICK_MS)));
    last = now;
    lastCpu = cpu;
  }, TICK_MS).unref();
  return {
    stalls: () => {
      const s = lag.summary();
      const round = (ms: number) => Math.round(ms * 10) / 10;
      return { lag_p99_ms: round(s.p99), lag_max_ms: round(s.max), longest_block_ms: round(longestBlockMs) };
    },
    stop: () => clearInterval(timer),
  };
}
