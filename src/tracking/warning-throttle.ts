import type { TimerClock } from '../shared/clock.ts';

interface Window {
  held: number;
  message: string;
  fields: object | undefined;
  cancel: () => void;
}

/**
 * Says each kind of warning at most once per interval, each kind on its own timer, so that a
 * frequent kind (a write failing while the database is away) never hides another (rows dropped).
 * The first of a kind is said at once; the ones held back are counted and said together when the
 * interval ends, so a warning is grouped, never lost.
 */
export class WarningThrottle<Kind extends string> {
  private readonly windows = new Map<Kind, Window>();

  constructor(
    private readonly clock: TimerClock,
    private readonly intervalMs: number,
    private readonly say: (message: string, fields?: object) => void,
  ) {}

  /** `fields`: structured detail for the line; a summary carries the latest of those held back. */
  warn(kind: Kind, message: string, fields?: object): void {
    const open = this.windows.get(kind);
    if (open !== undefined) {
      open.held += 1;
      open.message = message;
      open.fields = fields;
      return;
    }
    this.say(message, fields);
    this.open(kind);
  }

  /** Says what is held back and stops every timer (on close). */
  flush(): void {
    for (const window of this.windows.values()) {
      window.cancel();
      this.sayHeld(window);
    }
    this.windows.clear();
  }

  private open(kind: Kind): void {
    const window: Window = { held: 0, message: '', fields: undefined, cancel: () => undefined };
    window.cancel = this.clock.after(this.intervalMs, () => {
      this.windows.delete(kind);
      if (window.held === 0) return;
      this.sayHeld(window);
      this.open(kind); // what follows a summary is throttled again
    });
    this.windows.set(kind, window);
  }

  private sayHeld(window: Window): void {
    if (window.held > 0)
      this.say(`${window.message} (${window.held} more since the last report)`, {
        ...window.fields,
        held: window.held,
      });
  }
}
