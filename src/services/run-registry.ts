import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

  /** Stops every listed process that is still ours and returns what was left behind. */
  async reapAll(removeContainer: (id: string) => Promise<void>): Promise<ReapReport> {
    const procs = await this.listed('procs');
    let processes = 0;
    for (const entry of procs) {
      const [pid, signal, name] = (await readFile(join(this.dir, 'procs', entry), 'utf8')).trim().split(' ');
      const n = Number(pid);
      if (isAlive(n) && (await processName(n)) === name) {
        processes += 1;
        await stopPid(n, `SIG${signal ?? 'TERM'}` as NodeJS.Signals, 3000);
      }
    }
    const containers = await this.listed('containers');
    await Promise.all(containers.map((id) => removeContainer(id).catch(() => undefined)));
    return { processes, containers };
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private async listed(sub: string): Promise<string[]> {
    return readdir(join(this.dir, sub)).catch(() => []);
  }
}
