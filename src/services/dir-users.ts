import { readdir, readlink, rm } from 'node:fs/promises';
import { processName } from './pid-control.ts';

/** A live process whose working directory is inside a directory we meant to remove. */
export interface DirUser {
  readonly pid: number;
  readonly name: string;
  readonly cwd: string;
}

const inside = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`);

/**
 * Live processes working in `dir`: postgres and redis-server chdir to their data directory, so a
 * server restarted by hand on a run's data shows up here, whatever its PID.
 */
export async function processesUsing(dir: string): Promise<DirUser[]> {
  const pids = (await readdir('/proc').catch(() => [])).filter((e) => /^\d+$/.test(e)).map(Number);
  const users = await Promise.all(
    pids
      .filter((pid) => pid !== process.pid)
      .map(async (pid): Promise<DirUser | undefined> => {
        const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
        if (cwd === undefined || !inside(cwd, dir)) return undefined;
        return { pid, name: (await processName(pid)) ?? '?', cwd };
      }),
  );
  return users.filter((u) => u !== undefined);
}

/** Removes `dir` unless a live process works in it; returns those processes (nothing removed then). */
export async function removeUnlessInUse(dir: string): Promise<DirUser[]> {
  const users = await processesUsing(dir);
  if (users.length === 0) await rm(dir, { recursive: true, force: true });
  return users;
}
