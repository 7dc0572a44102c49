import type { FaultWindow } from './fault-runner.ts';
import type { FaultFigures } from './metrics.ts';

/** What one fault cost: the flows and errors sent in its window and what became of them. */
export interface FaultOutcome extends FaultFigures {
  readonly label: string;
  readonly kind: string;
  readonly spec: string;
  /** When it was scheduled, and when it started and ended, in ms from the measured load's start. */
  readonly atMs: number;
  readonly startedMs: number | null;
  readonly endedMs: number | null;
  /** Pattern flows sent from its start until the first flow after its end that every client received. */
  readonly sent: number;
  readonly delivered: number;
  /** The lost flows' ids (the first 1,000). */
  readonly lostFlows: readonly string[];
  readonly errorsSent: number;
  /** Errors sent in its window that were not shown to every client or not stored (the first 1,000). */
  readonly errorsLost: readonly string[];
  /** Of those, how many reached no subscriber when published (pub-sub is at most once). */
  readonly errorsUnheard: number;
  /** It could not be injected (why); its figures are then those of its would-be window. */
  readonly failed?: string;
}

const LISTED = 1000;

/**
 * Each fault's section. Its window runs from its start until the first flow sent after it ended that every
 * client received: what was lost while a subscriber or a client came back is the fault's too. Recovery is
 * the time from its end to the first receipt, by any client, of a flow sent after it.
 */
export function faultOutcomes(
  windows: readonly FaultWindow[],
  run: {
    readonly loadStartMs: number;
    /** Every flow sent: [id, intended epoch ms], in order. */
    readonly flows: readonly (readonly [string, number])[];
    readonly lost: ReadonlySet<string>;
    /** Every error sent: [id, intended epoch ms]. */
    readonly errors: readonly (readonly [string, number])[];
    readonly errorsLost: ReadonlySet<string>;
    /** Errors whose PUBLISH reached no subscriber. */
    readonly errorsUnheard: ReadonlySet<string>;
    /** Per window: the first receipt of a flow sent at or after its end (epoch ms); null: none. */
    readonly firstReceiptAfterEnd: readonly (number | null)[];
  },
): FaultOutcome[] {
  return windows.map((w, i) => {
    const first = run.firstReceiptAfterEnd[i] ?? null;
    const recovery = w.endedAtMs === null || first === null ? null : Math.max(0, first - w.endedAtMs);
    const from = w.startedAtMs ?? Infinity;
    const end = w.endedAtMs ?? Infinity;
    // Until every client has a flow sent after it again: a client still in its reconnect backoff loses too.
    const to = run.flows.find(([id, at]) => at >= end && !run.lost.has(id))?.[1] ?? Infinity;
    const inWindow = ([, at]: readonly [string, number]): boolean => at >= from && at <= to;
    const flows = run.flows.filter(inWindow);
    const lostFlows = flows.filter(([id]) => run.lost.has(id)).map(([id]) => id);
    const errors = run.errors.filter(inWindow);
    const since = (t: number | null): number | null => (t === null ? null : Math.round(t - run.loadStartMs));
    return {
      label: w.fault.label,
      kind: w.fault.kind,
      spec: w.fault.spec,
      atMs: w.fault.atMs,
      startedMs: since(w.startedAtMs),
      endedMs: since(w.endedAtMs),
      sent: flows.length,
      delivered: flows.length - lostFlows.length,
      lost: lostFlows.length,
      lostFlows: lostFlows.slice(0, LISTED),
      errorsSent: errors.length,
      errorsLost: errors
        .filter(([id]) => run.errorsLost.has(id))
        .map(([id]) => id)
        .slice(0, LISTED),
      errorsUnheard: errors.filter(([id]) => run.errorsLost.has(id) && run.errorsUnheard.has(id)).length,
      recovery: recovery === null ? null : Math.round(recovery * 10) / 10,
      ...(w.failed === undefined ? {} : { failed: w.failed }),
    };
  });
}
