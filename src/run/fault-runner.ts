import type { TimerClock } from '../shared/clock.ts';
import type { ScheduledFault } from './fault-schedule.ts';

/** Does one fault; resolves once it is over (the server back, the pause lifted, the clients reconnected). */
export type InjectFault = (fault: ScheduledFault) => Promise<void>;

/** When a fault actually held, in epoch ms; `failed`: it could not be injected (why). */
export interface FaultWindow {
  readonly fault: ScheduledFault;
  readonly startedAtMs: number | null;
  readonly endedAtMs: number | null;
  readonly failed?: string;
}

/**
 * The run's faults, each started at its time from the measured load's start. `stopScheduling` (the load
 * has ended) cancels those not yet started; `finish` waits for those under way to end.
 */
export function startFaults(
  deps: {
    readonly inject: InjectFault;
    readonly clock: TimerClock;
    /** Told as each fault starts and as it ends. */
    readonly onChange?: ((w: FaultWindow) => void) | undefined;
  },
  faults: readonly ScheduledFault[],
) {
  const note = (i: number, w: FaultWindow): void => {
    windows[i] = w;
    deps.onChange?.(w);
  };
  const windows: FaultWindow[] = faults.map((fault) => ({ fault, startedAtMs: null, endedAtMs: null }));
  const running: Promise<void>[] = [];
  const cancels = faults.map((fault, i) =>
    deps.clock.after(fault.atMs, () => {
      const startedAtMs = deps.clock.now();
      note(i, { fault, startedAtMs, endedAtMs: null });
      running.push(
        deps.inject(fault).then(
          () => note(i, { fault, startedAtMs, endedAtMs: deps.clock.now() }),
          (error: unknown) =>
            note(i, {
              fault,
              startedAtMs,
              endedAtMs: deps.clock.now(),
              failed: error instanceof Error ? error.message : String(error),
            }),
        ),
      );
    }),
  );
  return {
    stopScheduling: (): void => cancels.forEach((cancel) => cancel()),
    async finish(): Promise<readonly FaultWindow[]> {
      await Promise.all(running);
      return windows;
    },
  };
}
