import type { RunStage } from '../contract/schemas/run-scenario.ts';
import type { Stage } from '../sim/scenarios.ts';

/** A run's stages as a scenario file writes them: what its report records of the load. */
export const stageSpecs = (stages: readonly Stage[]): RunStage[] =>
  stages.map((s) => ({
    kind: s.kind,
    rate: s.rate,
    seconds: s.seconds,
    ...(s.kind === 'ramp' ? { from: s.rampFrom } : {}),
    ...(s.kind === 'burst'
      ? { burst_rate: s.burstRate, burst_seconds: s.burstSeconds, burst_every: s.burstEverySeconds }
      : {}),
  }));

/** The stages in a line a person reads: `steady 200/s for 1 s, then ramp 200→300/s over 1 s`. */
export const describeStages = (stages: readonly RunStage[]): string =>
  stages
    .map((s) =>
      s.kind === 'ramp'
        ? `ramp ${s.from}→${s.rate}/s over ${s.seconds} s`
        : s.kind === 'burst'
          ? `burst ${s.rate}/s with ${s.burst_rate}/s for ${s.burst_seconds} s every ${s.burst_every} s, ${s.seconds} s`
          : `${s.kind} ${s.rate}/s for ${s.seconds} s`,
    )
    .join(', then ');
