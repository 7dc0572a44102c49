import { CONSUMER_PROFILES, PROFILE_NAMES, type ConsumerProfile } from '../contract/consumer-profiles.ts';
import type { ProfileSpec, RunScenario, RunStage } from '../contract/schemas/run-scenario.ts';
import { nearestName } from '../contract/nearest-name.ts';
import { DEFAULT_MIX, parseSeverityWeights, type SeverityWeights } from '../sim/error-generator.ts';
import { DEFAULT_SCENARIO, stagesSeconds, type Stage } from '../sim/scenarios.ts';
import { RunUsageError } from './run-error.ts';
import { parseThreshold, type Threshold } from './thresholds.ts';

/** Spec 000's target and nothing lost, unless the run names its own thresholds. */
export const DEFAULT_THRESHOLDS = ['publish_to_client.p99 < 100', 'lost == 0'] as const;

/** What a run sends beside its pattern events. */
export interface RunMix {
  readonly errorsPerSecond: number;
  readonly errorSeverities: SeverityWeights;
  readonly heartbeatSeconds: number;
  readonly backtestPerSecond: number;
  readonly healthPerSecond: number;
  /** Share (0–1) of pattern messages sent malformed: the consumer must reject them, not choke. */
  readonly malformedShare: number;
}

/** A run, resolved from defaults, then its scenario file, then its flags: everything it needs. */
export interface RunPlan {
  readonly target: {
    readonly redisUrl?: string | undefined;
    readonly databaseUrl?: string | undefined;
    readonly db: boolean;
    readonly socketioUrl?: string | undefined;
    readonly socketioPath?: string | undefined;
    readonly start?: 'reference' | undefined;
  };
  readonly profile: ConsumerProfile;
  readonly stages: readonly Stage[];
  readonly seconds: number;
  readonly seed: number | undefined;
  readonly warmupSeconds: number;
  readonly graceSeconds: number;
  readonly mix: RunMix;
  readonly clients: number;
  readonly workers: number;
  readonly thresholds: readonly Threshold[];
  readonly outputs: { readonly json?: string; readonly junit?: string; readonly html?: string };
}

export const RUN_DEFAULTS = {
  rate: 100,
  duration: 10,
  clients: 10,
  workers: 1,
  grace: 5,
  warmup: 0,
  heartbeat: 60,
} as const;

const usage = (code: string, message: string, hint: string) => new RunUsageError(code, message, hint);

/**
 * The flags' scenario laid over the file's. A load shape on the command line (--rate, --duration or
 * --stage) replaces the file's whole shape; --threshold replaces its thresholds; the rest key by key.
 */
export function overlayScenario(file: RunScenario, flags: RunScenario): RunScenario {
  const shapeGiven = ['rate', 'duration', 'stages'].some((k) => flags.load?.[k as 'rate'] !== undefined);
  const fileLoad = shapeGiven
    ? { seed: file.load?.seed, warmup: file.load?.warmup, grace: file.load?.grace }
    : file.load;
  const merge = <T extends object>(a: T | undefined, b: T | undefined): T | undefined =>
    a === undefined ? b : b === undefined ? a : { ...a, ...defined(b) };
  return {
    ...file,
    ...defined({ profile: flags.profile }),
    profiles: merge(file.profiles, flags.profiles),
    target: merge(file.target, flags.target),
    load: merge(fileLoad, flags.load),
    mix: merge(file.mix, flags.mix),
    clients: merge(file.clients, flags.clients),
    thresholds: flags.thresholds?.length ? flags.thresholds : file.thresholds,
    outputs: merge(file.outputs, flags.outputs),
  };
}

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** A profile the file writes, on top of the known one it extends. */
function profileFrom(name: string, spec: ProfileSpec): ConsumerProfile {
  const baseName = spec.extends ?? 'spec';
  const base = CONSUMER_PROFILES[baseName];
  if (base === undefined)
    throw usage(
      'RUN_PROFILE',
      `profiles.${name}.extends: no known profile '${baseName}'`,
      `Extend one of ${Object.keys(CONSUMER_PROFILES).join(', ')}.`,
    );
  return {
    name,
    about: spec.about ?? `${baseName}, as changed in the scenario file`,
    patterns: {
      namespace: spec.patterns?.namespace ?? base.patterns.namespace,
      event: spec.patterns?.event ?? base.patterns.event,
      flowIdPath: spec.patterns?.flow_id_path ?? base.patterns.flowIdPath,
      sentAtPath: spec.patterns?.sent_at_path ?? base.patterns.sentAtPath,
    },
    errors:
      spec.errors === undefined
        ? base.errors
        : spec.errors === null
          ? null
          : { namespace: spec.errors.namespace, event: spec.errors.event, idPath: spec.errors.id_path },
    errorShape: spec.error_shape ?? base.errorShape,
    backtestShape: spec.backtest_shape ?? base.backtestShape,
    checkpoints: spec.checkpoints ?? base.checkpoints,
    errorStore: spec.error_store === undefined ? base.errorStore : spec.error_store,
  };
}

function resolveProfile(s: RunScenario): ConsumerProfile {
  const name = s.profile ?? 'spec';
  const own = s.profiles?.[name];
  if (own !== undefined) return profileFrom(name, own);
  const profile = CONSUMER_PROFILES[name];
  if (profile !== undefined) return profile;
  const near = nearestName(name, [...Object.keys(s.profiles ?? {}), ...PROFILE_NAMES]);
  throw usage(
    'CLI_USAGE',
    `profile ${name} (--profile or profile: in the scenario): no such consumer profile`,
    near === undefined
      ? `Use spec or tickstockappv2, or write one under profiles: in the scenario file.`
      : `Did you mean ${near}?`,
  );
}

/** A stage of the file as the simulator's; a ramp starts where the previous stage ended. */
function toStages(stages: readonly RunStage[]): Stage[] {
  return stages.map((s, i) => {
    if (s.kind === 'burst' && s.burst_rate === undefined)
      throw usage(
        'RUN_STAGE',
        `load.stages[${i}]: a burst stage needs burst_rate`,
        'Add burst_rate (and burst_seconds, burst_every; defaults 2 and 10).',
      );
    return {
      ...DEFAULT_SCENARIO,
      kind: s.kind,
      seconds: s.seconds,
      rate: s.rate,
      rampFrom: s.from ?? stages[i - 1]?.rate ?? 1,
      rampSeconds: s.seconds,
      burstRate: s.burst_rate ?? DEFAULT_SCENARIO.burstRate,
      burstSeconds: s.burst_seconds ?? DEFAULT_SCENARIO.burstSeconds,
      burstEverySeconds: s.burst_every ?? DEFAULT_SCENARIO.burstEverySeconds,
    };
  });
}

function severities(text: string | undefined): SeverityWeights {
  if (text === undefined) return DEFAULT_MIX.severities;
  try {
    return parseSeverityWeights(text);
  } catch (error) {
    throw usage(
      'RUN_MIX',
      `mix.error_severities ${text}: ${(error as Error).message}`,
      'Write weights as severity:weight,… e.g. warning:4,error:3,critical:1',
    );
  }
}

/** Defaults, then the scenario (file overlaid by flags): the run's plan, or exit 2 with what is wrong. */
export function resolvePlan(s: RunScenario): RunPlan {
  const load = s.load ?? {};
  const stages =
    load.stages === undefined
      ? toStages([
          {
            kind: 'steady',
            rate: load.rate ?? RUN_DEFAULTS.rate,
            seconds: load.duration ?? RUN_DEFAULTS.duration,
          },
        ])
      : toStages(load.stages);
  const thresholds = (s.thresholds?.length ? s.thresholds : DEFAULT_THRESHOLDS).map(parseThreshold);
  return {
    target: {
      redisUrl: s.target?.redis_url,
      databaseUrl: s.target?.database_url,
      db: s.target?.db ?? true,
      socketioUrl: s.target?.socketio_url,
      socketioPath: s.target?.socketio_path,
      start: s.target?.start,
    },
    profile: resolveProfile(s),
    stages,
    seconds: stagesSeconds(stages),
    seed: load.seed,
    warmupSeconds: load.warmup ?? RUN_DEFAULTS.warmup,
    graceSeconds: load.grace ?? RUN_DEFAULTS.grace,
    mix: {
      errorsPerSecond: s.mix?.errors ?? 0,
      errorSeverities: severities(s.mix?.error_severities),
      heartbeatSeconds: s.mix?.heartbeat ?? RUN_DEFAULTS.heartbeat,
      backtestPerSecond: s.mix?.backtest ?? 0,
      healthPerSecond: s.mix?.health ?? 0,
      malformedShare: s.mix?.malformed ?? 0,
    },
    clients: s.clients?.socketio ?? RUN_DEFAULTS.clients,
    workers: s.clients?.workers ?? RUN_DEFAULTS.workers,
    thresholds,
    outputs: s.outputs ?? {},
  };
}
