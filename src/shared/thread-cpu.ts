import { readFileSync } from 'node:fs';

/**
 * A clock of the CPU time, in ms, that this process's main thread has run: its own work, without the
 * garbage collector's helper threads or the thread pool, which process.cpuUsage() adds in. Linux gives
 * it per thread in schedstat (ns); elsewhere the whole process's time stands in.
 */
export function mainThreadCpuClock(): () => number {
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  const read = () => Number(readFileSync(schedstat, 'latin1').split(' ')[0]) / 1e6;
  try {
    if (Number.isFinite(read())) return read;
  } catch {
    // not Linux, or no schedstat: below
  }
  return () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  };
}
