import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The processes `pid` has started, as Linux lists them; none where /proc cannot say. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .split(' ')
        .filter((s) => s !== '')
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** This process's children running `executable` (a browser it launched through a library). */
export function ownChildrenRunning(executable: string): number[] {
  return childrenOf(process.pid).filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`) === executable;
    } catch {
      return false;
    }
  });
}

const tasksOf = (pid: number): number[] => {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [pid];
  }
};

/** A process and every process below it, as they are now. */
function treeOf(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(treeOf)];
}

/**
 * Gives every thread of a process and of every process below it the niceness `nice` (on Linux it is a
 * thread's; what they start later inherits it). Best effort: a thread that ended meanwhile, or a system
 * without /proc, is passed over.
 */
export function lowerPriority(pid: number, nice: number): void {
  for (const tid of treeOf(pid).flatMap(tasksOf)) {
    try {
      setPriority(tid, nice);
    } catch {
      // Ended meanwhile: nothing to lower.
    }
  }
}
