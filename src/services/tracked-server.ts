import { processName, stopPid } from './pid-control.ts';
import { spawnReady, type ReadyProcessOptions } from './ready-process.ts';
import type { RunRegistry } from './run-registry.ts';

export interface ServerSpec extends ReadyProcessOptions {
  /** The kernel's name of the program, so the reaper never signals a reused PID. */
  readonly name: string;
  /** Its graceful stop signal. */
  readonly signal: NodeJS.Signals;
}

/** A server process listed in the run registry; it can be stopped and started again on the same port and data. */
export class TrackedServer {
  private constructor(
    private readonly spec: ServerSpec,
    private readonly registry: RunRegistry,
    private mainPid: number,
    private untrack: (() => Promise<void>) | undefined,
  ) {}

  static async start(spec: ServerSpec, registry: RunRegistry): Promise<TrackedServer> {
    const server = new TrackedServer(spec, registry, -1, undefined);
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    if (this.untrack !== undefined) return;
    const proc = await spawnReady(this.spec);
    this.mainPid = proc.child.pid ?? -1;
    this.untrack = await this.registry.trackProcess({
      pid: this.mainPid,
      name: this.spec.name,
      signal: this.spec.signal,
    });
  }

  async stop(): Promise<void> {
    if (this.untrack === undefined) return;
    // It may have died already and its PID gone to another program.
    if ((await processName(this.mainPid)) === this.spec.name)
      await stopPid(this.mainPid, this.spec.signal, 5000);
    await this.untrack();
    this.untrack = undefined;
    this.mainPid = -1;
  }

  get pid(): number {
    return this.mainPid;
  }
}
