import { CONSUMER_PROFILES, PROFILE_NAMES, type ConsumerProfile } from '../contract/consumer-profiles.ts';
import type { ProfileSpec, RunScenario, RunStage } from '../contract/schemas/run-scenario.ts';
import { nearestName } from '../contract/nearest-name.ts';
import { DEFAULT_MIX, parseSeverityWeights, type SeverityWeights } from '../sim/error-generator.ts';
import { DEFAULT_SCENARIO, stagesSeconds, type Stage } from '../sim/scenarios.ts';
import type { ClusterTarget } from '../services/cluster-target.ts';
import type { ReplayOptions } from './replay-source.ts';
import { DEFAULT_BASELINE_TOLERANCE, type BaselineTolerance } from './baseline-comparison.ts';
import { checkFaultTargets, faultLabels, parseFault, placeFaults, type FaultSpec } from './fault-schedule.ts';
import { checkHeaders, type RequestHeaders } from './request-headers.ts';
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
    /** Sharded pub-sub on this Redis Cluster instead of `redisUrl` (--redis-cluster). */
    readonly redisCluster?: ClusterTarget | undefined;
    readonly databaseUrl?: string | undefined;
    readonly db: boolean;
    readonly socketioUrl?: string | undefined;
    readonly socketioPath?: string | undefined;
    /** Extra HTTP headers on every client's handshake (values never printed). */
    readonly headers?: RequestHeaders | undefined;
    readonly start?: 'reference' | undefined;
    /** net: faults may act on the links of a consumer the run did not start. */
    readonly allowFaults: boolean;
    /** Where the run proxies to Redis / PostgreSQL for a consumer it did not start (its net: faults' links). */
    readonly linkPorts: Readonly<Partial<Record<'redis' | 'postgres', number>>>;
  };
  readonly profile: ConsumerProfile;
  readonly stages: readonly Stage[];
  readonly seconds: number;
  /** The load is a recording, replayed; undefined: the simulator, by `stages`. */
  readonly replay: ReplayOptions | undefined;
  readonly seed: number | undefined;
  readonly warmupSeconds: number;
  readonly graceSeconds: number;
  readonly mix: RunMix;
  readonly clients: number;
  readonly workers: number;
  /** Headless pages of the consumer's UI timing when errors are rendered (0: none). */
  readonly browsers: number;
  readonly thresholds: readonly Threshold[];
  /** Faults to inject during the measured load (placed in time once the seed is known). */
  readonly faults: readonly FaultSpec[];
  readonly outputs: { readonly json?: string; readonly junit?: string; readonly html?: string };
  /** An earlier run's JSON report to compare with; undefined: none. */
  readonly baseline: { readonly file: string; readonly tolerance: BaselineTolerance } | undefined;
}

export const RUN_DEFAULTS = {
  rate: 100,
  duration: 10,
  clients: 10,
  workers: 1,
  browsers: 0,
  grace: 5,
  warmup: 0,
  heartbeat: 60,
} as const;

const usage = (code: string, message: string, hint: string) => new RunUsageError(code, message, hint);

/**
 * The flags' scenario laid over the file's. A load shape on the command line (--rate, --duration,
 * --stage or --replay) replaces the file's whole shape, except that --duration alone bounds its replay; --threshold replaces its thresholds; the rest key by key.
 */
export function overlayScenario(file: RunScenario, flags: RunScenario): RunScenario {
  const given = (keys: readonly string[]) => keys.some((k) => flags.load?.[k as 'rate'] !== undefined);
  // --duration alone bounds a file's replay; with a rate or stages it is a new shape.
  const keepReplay = !given(['rate', 'stages', 'replay']);
  const fileLoad = given(['rate', 'duration', 'stages', 'replay'])
    ? {
        seed: file.load?.seed,
        warmup: file.load?.warmup,
        grace: file.load?.grace,
        replay: keepReplay ? file.load?.replay : undefined,
      }
    : file.load;
  const merge = <T extends object>(a: T | undefined, b: T | undefined): T | undefined =>
    a === undefined ? b : b === undefined ? a : { ...a, ...defined(b) };
  // --header adds to the file's headers (and wins over one of the same name), not replaces them all.
  const target = merge(file.target, flags.target);
  return {
    ...file,
    ...defined({ profile: flags.profile }),
    profiles: merge(file.profiles, flags.profiles),
    target: target && { ...target, headers: merge(file.target?.headers, flags.target?.headers) },
    load: merge(fileLoad, flags.load),
    mix: merge(file.mix, flags.mix),
    clients: merge(file.clients, flags.clients),
    thresholds: flags.thresholds?.length ? flags.thresholds : file.thresholds,
    faults: flags.faults?.length ? flags.faults : file.faults,
    outputs: merge(file.outputs, flags.outputs),
    baseline: merge(file.baseline, flags.baseline),
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
    page:
      spec.page === undefined
        ? base.page
        : spec.page === null
          ? null
          : {
              path: spec.page.path,
              errorSelector: spec.page.error_selector,
              readySelector: spec.page.ready_selector,
              tokenHashKey: spec.page.token_hash_key,
            },
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

function baselineOf(b: RunScenario['baseline']): RunPlan['baseline'] {
  if (b?.file === undefined) {
    if (b?.tolerance_pct === undefined && b?.tolerance_ms === undefined) return undefined;
    throw usage(
      'RUN_BASELINE',
      'a baseline tolerance was given, but no baseline to compare with',
      'Add --baseline FILE (or baseline.file in the scenario), or drop the tolerance.',
    );
  }
  const { relativePct, latencyMs } = DEFAULT_BASELINE_TOLERANCE;
  return {
    file: b.file,
    tolerance: { relativePct: b.tolerance_pct ?? relativePct, latencyMs: b.tolerance_ms ?? latencyMs },
  };
}

/** A replayed recording instead of the simulator: its checks, then its options. */
function replayOf(s: RunScenario): ReplayOptions | undefined {
  const replay = s.load?.replay;
  if (replay === undefined) return undefined;
  if (s.load?.rate !== undefined || s.load?.stages !== undefined)
    throw usage(
      'RUN_REPLAY',
      `load.replay (--replay ${replay.file}) and a rate or stages were both given`,
      'The recording is the load: drop --rate/--stage (load.rate, load.stages), or drop --replay.',
    );
  const mixed = Object.entries(s.mix ?? {}).filter(
    ([k, v]) => k !== 'heartbeat' && v !== undefined && v !== 0,
  );
  if (mixed.length > 0)
    throw usage(
      'RUN_REPLAY',
      `load.replay and a message mix (${mixed.map(([k]) => `mix.${k}`).join(', ')}) were both given`,
      "A replay sends what was recorded, errors included: drop the mix's flags.",
    );
  if (replay.loop === true && s.load?.duration === undefined)
    throw usage(
      'RUN_REPLAY',
      '--loop (load.replay.loop) without --duration would never end',
      'Add --duration <seconds> (load.duration): how long to loop.',
    );
  return {
    path: replay.file,
    speed: replay.speed ?? 1,
    loop: replay.loop ?? false,
    freshIds: replay.fresh_ids ?? false,
    seconds: s.load?.duration,
  };
}

/** Defaults, then the scenario (file overlaid by flags): the run's plan, or exit 2 with what is wrong. */
/** Link ports proxy a consumer the run did not start to the services the run is given. */
function checkLinkPorts(target: RunScenario['target'], ports: RunPlan['target']['linkPorts']): void {
  const given = Object.keys(ports) as ('redis' | 'postgres')[];
  if (given.length === 0) return;
  if (target?.start !== undefined)
    throw usage(
      'RUN_FAULT',
      '--link-port with --start reference: the run already sits on the links of the consumer it starts',
      'Drop --link-port (target.link_ports).',
    );
  for (const link of given) {
    const url = link === 'redis' ? target?.redis_url : target?.database_url;
    if (url === undefined)
      throw usage(
        'RUN_FAULT',
        `--link-port ${link}=${ports[link]}: no ${link === 'redis' ? '--redis-url' : '--database-url'} to proxy to`,
        `Give the ${link === 'redis' ? 'Redis' : 'PostgreSQL'} URL your consumer would use; it connects to 127.0.0.1:${ports[link]} instead.`,
      );
  }
}

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
  const faults = (s.faults ?? []).map(parseFault);
  const labels = faultLabels(faults);
  const thresholds = (s.thresholds?.length ? s.thresholds : DEFAULT_THRESHOLDS).map((t) =>
    parseThreshold(t, labels),
  );
  const profile = resolveProfile(s);
  const browsers = s.clients?.browsers ?? RUN_DEFAULTS.browsers;
  if (browsers > 0 && profile.page === null)
    throw usage(
      'RUN_BROWSERS',
      `--browsers ${browsers} (clients.browsers): profile ${profile.name} names no page where its UI renders errors`,
      'Describe its UI in a scenario profile (page: { path: /, error_selector: … }, docs/run.md), or drop --browsers.',
    );
  const seconds = stagesSeconds(stages);
  placeFaults(faults, seconds, 0); // a fixed start past the load's end is refused now, not mid-run
  const linkPorts = s.target?.link_ports ?? {};
  checkLinkPorts(s.target, linkPorts);
  checkFaultTargets(faults, {
    started: s.target?.start === 'reference',
    allowFaults: s.target?.allow_faults ?? false,
    linkPorts,
  });
  return {
    replay: replayOf(s),
    target: {
      redisUrl: s.target?.redis_url,
      databaseUrl: s.target?.database_url,
      db: s.target?.db ?? true,
      socketioUrl: s.target?.socketio_url,
      socketioPath: s.target?.socketio_path,
      headers: checkHeaders(s.target?.headers),
      start: s.target?.start,
      allowFaults: s.target?.allow_faults ?? false,
      linkPorts,
    },
    profile,
    stages,
    seconds,
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
    browsers,
    thresholds,
    faults,
    outputs: s.outputs ?? {},
    baseline: baselineOf(s.baseline),
  };
}
