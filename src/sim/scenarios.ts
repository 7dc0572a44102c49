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

/** A scenario that lasts `seconds`, then gives way to the next (a run's stages, as k6's). */
export interface Stage extends ScenarioOptions {
  readonly seconds: number;
}

/** One scenario for the whole run, or stages one after another (the last one lasts). */
export type Scenario = ScenarioOptions | readonly Stage[];

export const stagesSeconds = (stages: readonly Stage[]): number => stages.reduce((s, x) => s + x.seconds, 0);

/** The intended rate at `t` ms after the start, each stage's clock starting at the stage. */
export function scenarioRateAt(scenario: Scenario, t: number): number {
  if (!Array.isArray(scenario)) return rateAt(scenario as ScenarioOptions, t);
  const stages = scenario as readonly Stage[];
  let start = 0;
  for (const [i, stage] of stages.entries()) {
    const end = start + stage.seconds * 1000;
    if (t < end || i === stages.length - 1) return rateAt(stage, t - start);
    start = end;
  }
  throw new Error('a staged scenario has at least one stage');
}

/**
 * The send schedule: offsets in ms from the start, each 1/rate after the previous. It is fixed in
 * advance (open loop): a slow consumer or database never moves it; lateness is measured against it.
 */
export function* schedule(s: Scenario): Generator<number> {
  for (let t = 0; ; t += 1000 / Math.max(scenarioRateAt(s, t), 1e-6)) yield t;
}
