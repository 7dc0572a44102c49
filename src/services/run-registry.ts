import { mkdir, mkdtemp, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeUnlessInUse, type DirUser } from './dir-users.ts';
import { isAlive, processName, stopPid } from './pid-control.ts';

/** A server process we started: `name` guards against signalling a reused PID. */
export interface TrackedProcess {
  readonly pid: number;
  readonly name: string;
  readonly signal: NodeJS.Signals;
}

export interface ReapReport {
  readonly processes: number;
  readonly containers: readonly string[];
  /** Processes not ours still working in the run directory (a server restarted by hand): it was kept. */
  readonly kept: readonly DirUser[];
}

/**
 * The on-disk record of everything one run started: server PIDs, container ids, and data
 * directories below `dir`. Workers attach to the owner's directory; whoever outlives the rest
 * (the owner's teardown, or the reaper when the owner dies) ends what is listed and removes it.
 */
export class RunRegistry {
  private constructor(readonly dir: string) {}

  static async create(tmpDir: string): Promise<RunRegistry> {
    const dir = await mkdtemp(join(tmpDir, 'tickstock-harness-'));
    await Promise.all([mkdir(join(dir, 'procs')), mkdir(join(dir, 'containers'))]);
    return new RunRegistry(dir);
  }

  static attach(dir: string): RunRegistry {
    return new RunRegistry(dir);
  }

  makeDir(prefix: string): Promise<string> {
    return mkdtemp(join(this.dir, prefix));
  }

  async trackProcess(proc: TrackedProcess): Promise<() => Promise<void>> {
    const file = join(this.dir, 'procs', String(proc.pid));
    await writeFile(file, `${proc.pid} ${proc.signal.replace(/^SIG/, '')} ${proc.name}\n`);
    return () => unlink(file).catch(() => undefined);
  }

  async trackContainer(id: string): Promise<() => Promise<void>> {
    const file = join(this.dir, 'containers', id);
    await writeFile(file, `${id}\n`);
    return () => unlink(file).catch(() => undefined);
  }

  /** The server processes listed now (alive or not). */
  async processes(): Promise<TrackedProcess[]> {
    const entries = await this.listed('procs');
    const lines = await Promise.all(entries.map((e) => readFile(join(this.dir, 'procs', e), 'utf8')));
    return lines.map((line) => {
      const [pid, signal, name] = line.trim().split(' ');
      return { pid: Number(pid), name: name ?? '', signal: `SIG${signal ?? 'TERM'}` as NodeJS.Signals };
    });
  }

  /** Stops every listed process that is still ours and returns what was left behind. */
  async reapAll(removeContainer: (id: string) => Promise<void>): Promise<ReapReport> {
    let processes = 0;
    for (const { pid, name, signal } of await this.processes()) {
      if (isAlive(pid) && (await processName(pid)) === name) {
        processes += 1;
        await stopPid(pid, signal, 3000);
      }
    }
    const containers = await this.listed('containers');
    await Promise.all(containers.map((id) => removeContainer(id).catch(() => undefined)));
    return { processes, containers, kept: [] };
  }

  /** Removes the run directory, unless a live process still works in it: those are returned. */
  remove(): Promise<DirUser[]> {
    return removeUnlessInUse(this.dir);
  }

  private async listed(sub: string): Promise<string[]> {
    return readdir(join(this.dir, sub)).catch(() => []);
  }
}
