export const SCENARIO_KINDS = ['steady', 'ramp', 'burst', 'soak'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

export interface ScenarioOptions {
  readonly kind: ScenarioKind;
  /** Events per second (steady, soak; the base rate of burst; the end rate of ramp). */
  readonly rate: number;
  /** ramp: the start rate, reached `rate` after `rampSeconds`. */
  readonly rampFrom: number;
  readonly rampSeconds: number;
  /** burst: `burstRate` for `burstSeconds` every `burstEverySeconds`. */
  readonly burstRate: number;
  readonly burstSeconds: number;
  readonly burstEverySeconds: number;
}

export const DEFAULT_SCENARIO: ScenarioOptions = {
  kind: 'steady',
  rate: 10,
  rampFrom: 1,
  rampSeconds: 60,
  burstRate: 100,
  burstSeconds: 2,
  burstEverySeconds: 10,
};

/** The intended rate (events/s) at `t` ms after the start. */
export function rateAt(s: ScenarioOptions, t: number): number {
  switch (s.kind) {
    case 'steady':
    case 'soak':
      return s.rate;
    case 'ramp':
      return t >= s.rampSeconds * 1000
        ? s.rate
        : s.rampFrom + ((s.rate - s.rampFrom) * t) / (s.rampSeconds * 1000);
    case 'burst':
      return t % (s.burstEverySeconds * 1000) < s.burstSeconds * 1000 ? s.burstRate : s.rate;
  }
}

/**
 * The send schedule: offsets in ms from the start, each 1/rate after the previous. It is fixed in
 * advance (open loop): a slow consumer or database never moves it; lateness is measured against it.
 */
export function* schedule(s: ScenarioOptions): Generator<number> {
  for (let t = 0; ; t += 1000 / Math.max(rateAt(s, t), 1e-6)) yield t;
}
