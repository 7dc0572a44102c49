import { nearestName } from '../contract/nearest-name.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { RunUsageError } from './run-error.ts';

/** What a fault's argument is: none, a duration, a share of the clients, or a link's latency or rate. */
type ArgKind = 'none' | 'duration' | 'share' | 'latency' | 'bandwidth' | 'buffer';

/**
 * Every fault a run can schedule. `process`: it acts on a process the run started (refused on external
 * targets); the `net:` kinds act on a link through the run's TCP proxy. `defaultMs`: how long it lasts
 * when the spec says not.
 */
export const FAULT_KINDS = {
  'redis:restart': { arg: 'duration', process: true, defaultMs: 0 },
  'redis:pause': { arg: 'duration', process: true, defaultMs: 3000 },
  'redis:kill-subscriber': { arg: 'buffer', process: true, defaultMs: 0 },
  'postgres:stop': { arg: 'duration', process: true, defaultMs: 20_000 },
  'postgres:freeze': { arg: 'duration', process: true, defaultMs: 10_000 },
  'consumer:kill': { arg: 'none', process: true, defaultMs: 0 },
  'consumer:restart': { arg: 'none', process: true, defaultMs: 0 },
  'clients:drop': { arg: 'share', process: true, defaultMs: 0 },
  'net:latency': { arg: 'latency', process: false, defaultMs: 5000 },
  'net:bandwidth': { arg: 'bandwidth', process: false, defaultMs: 5000 },
  'net:cut': { arg: 'duration', process: false, defaultMs: 5000 },
} as const satisfies Record<string, { arg: ArgKind; process: boolean; defaultMs: number }>;
export type FaultKind = keyof typeof FAULT_KINDS;
const KIND_NAMES = Object.keys(FAULT_KINDS) as FaultKind[];

/** The links the run's proxy sits on: consumer↔Redis, consumer↔PostgreSQL, clients↔consumer. */
export const FAULT_LINKS = ['redis', 'postgres', 'clients'] as const;
export type FaultLink = (typeof FAULT_LINKS)[number];

/** One fault as written (`at=10s redis:restart`), parsed; `atMs` 'random' is placed from the run's seed. */
export interface FaultSpec {
  readonly spec: string;
  readonly kind: FaultKind;
  readonly atMs: number | 'random';
  /** How long the fault holds (0: an instant, such as a restart, which lasts as long as it takes). */
  readonly forMs: number;
  /** clients:drop: the share of clients dropped (0–1). */
  readonly share?: number;
  /** net:latency: added delay and its jitter (±), ms. */
  readonly latency?: { readonly ms: number; readonly jitterMs: number };
  /** redis:kill-subscriber buffer: Redis drops the subscriber past its output buffer limit, not by CLIENT KILL. */
  readonly viaBuffer?: boolean;
  /** net:bandwidth: bytes per second each way. */
  readonly bytesPerSecond?: number;
  readonly link?: FaultLink;
}

/** A fault placed in the run: when it starts, from the measured load's start, and its name in reports. */
export interface ScheduledFault extends FaultSpec {
  readonly atMs: number;
  /** `redis_restart`, `net_cut_clients`; `_2` for a second of the same: as thresholds name it. */
  readonly label: string;
}

const HINT =
  "Write a fault as 'at=TIME KIND [ARG] [for=DURATION] [link=redis|postgres|clients]', e.g. 'at=10s redis:restart', 'at=random postgres:stop 5s', 'at=2s net:cut 3s link=clients' (docs/run.md: Faults).";
const refuse = (spec: string, what: string, hint = HINT): never => {
  throw new RunUsageError('RUN_FAULT', `fault '${spec}': ${what}`, hint);
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/** `500ms`, `3s`, `1.5m` as milliseconds; undefined when it is none of them. */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text);
  return m === null ? undefined : Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

const duration = (spec: string, what: string, text: string): number =>
  parseDurationMs(text) ??
  refuse(spec, `${what} '${text}' is not a duration`, 'Write it as 500ms, 3s or 1.5m.');

function parseArg(spec: string, kind: FaultKind, text: string): Partial<FaultSpec> {
  switch (FAULT_KINDS[kind].arg) {
    case 'none':
      return refuse(spec, `${kind} takes no argument, but '${text}' was given`);
    case 'duration':
      return { forMs: duration(spec, `${kind}'s length`, text) };
    case 'buffer':
      if (text !== 'buffer')
        refuse(
          spec,
          `'${text}' is not how a subscriber is dropped`,
          "Write 'redis:kill-subscriber' (CLIENT KILL) or 'redis:kill-subscriber buffer' (its output buffer limit).",
        );
      return { viaBuffer: true };
    case 'share': {
      const m = /^(\d+(?:\.\d+)?)%$/.exec(text);
      const pct = m === null ? NaN : Number(m[1]);
      if (!(pct > 0 && pct <= 100))
        refuse(
          spec,
          `'${text}' is not a share of the clients`,
          'Write it as 1% to 100%, e.g. clients:drop 50%.',
        );
      return { share: pct / 100 };
    }
    case 'latency': {
      const m = /^(\d+(?:\.\d+)?)ms(?:(?:±|\+-)(\d+(?:\.\d+)?)(?:ms)?)?$/.exec(text);
      if (m === null)
        return refuse(spec, `'${text}' is not a latency`, 'Write it as 50ms or 50ms±10 (jitter in ms).');
      return { latency: { ms: Number(m[1]), jitterMs: Number(m[2] ?? 0) } };
    }
    case 'bandwidth': {
      const m = /^(\d+(?:\.\d+)?)(B|kB|MB)\/s$/.exec(text);
      const scale = { B: 1, kB: 1000, MB: 1_000_000 }[m?.[2] as 'B'] ?? NaN;
      const rate = m === null ? NaN : Number(m[1]) * scale;
      if (!(rate >= 1)) refuse(spec, `'${text}' is not a bandwidth`, 'Write it as 500B/s, 64kB/s or 1MB/s.');
      return { bytesPerSecond: rate };
    }
  }
}

const kindOf = (spec: string, word: string): FaultKind => {
  if (word in FAULT_KINDS) return word as FaultKind;
  const near = nearestName(word, KIND_NAMES);
  return refuse(
    spec,
    `unknown fault kind '${word}'`,
    near === undefined ? `Use one of ${KIND_NAMES.join(', ')}.` : `Did you mean '${near}'?`,
  );
};

/** `at=10s redis:restart`, `at=random postgres:stop 5s`, `at=2s net:cut 3s link=clients`: one fault. */
export function parseFault(spec: string): FaultSpec {
  let at: number | 'random' | undefined;
  let kind: FaultKind | undefined;
  let fields: Partial<FaultSpec> = {};
  for (const word of spec.trim().split(/\s+/)) {
    const [key, value] = word.includes('=') ? (word.split(/=(.*)/s) as [string, string]) : [undefined, word];
    if (key === 'at') at = value === 'random' ? 'random' : duration(spec, 'at', value);
    else if (key === 'for') fields = { ...fields, forMs: duration(spec, 'for', value) };
    else if (key === 'link') {
      if (!(FAULT_LINKS as readonly string[]).includes(value))
        refuse(spec, `unknown link '${value}'`, `Use link=${FAULT_LINKS.join(', link=')}.`);
      fields = { ...fields, link: value as FaultLink };
    } else if (key !== undefined) refuse(spec, `unknown field '${key}='`);
    else if (kind === undefined) kind = kindOf(spec, value);
    else fields = { ...fields, ...parseArg(spec, kind, value) };
  }
  if (kind === undefined) return refuse(spec, 'no fault kind');
  if (at === undefined) return refuse(spec, 'no start time (at=TIME)');
  const process = FAULT_KINDS[kind].process;
  if (process && fields.link !== undefined) refuse(spec, `${kind} acts on a process, not a link: drop link=`);
  if (!process && fields.link === undefined)
    refuse(spec, `${kind} needs the link it acts on`, `Add link=${FAULT_LINKS.join(', link=')}.`);
  if (kind === 'net:latency' && fields.latency === undefined)
    refuse(spec, 'net:latency needs a latency, e.g. 50ms±10');
  if (kind === 'net:bandwidth' && fields.bytesPerSecond === undefined)
    refuse(spec, 'net:bandwidth needs a rate, e.g. 64kB/s');
  return {
    spec: spec.trim(),
    kind,
    atMs: at,
    forMs: FAULT_KINDS[kind].defaultMs,
    ...(kind === 'clients:drop' ? { share: 0.5 } : {}),
    ...fields,
  };
}

// The schedule's own stream, apart from the payloads' (the same seed gives both).
const SCHEDULE_STREAM = 0x5eed_fa17;

/** Each fault's name in reports and thresholds: `redis_restart`, `net_cut_clients`, `_2` for a second. */
export function faultLabels(faults: readonly FaultSpec[]): string[] {
  const seen = new Map<string, number>();
  return faults.map((f) => {
    const base = [f.kind.replace(/[:-]/g, '_'), f.link].filter(Boolean).join('_');
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  });
}

/**
 * The faults placed in a run of `seconds`: `at=random` drawn from the seed within the first 10–70 % of
 * the load (so that recovery can be seen before it ends); each must start before the load ends.
 */
export function placeFaults(faults: readonly FaultSpec[], seconds: number, seed: number): ScheduledFault[] {
  const random = seededRandom((seed ^ SCHEDULE_STREAM) >>> 0);
  const loadMs = seconds * 1000;
  const labels = faultLabels(faults);
  return faults.map((f, i) => {
    const atMs = f.atMs === 'random' ? Math.round(loadMs * (0.1 + 0.6 * random.next())) : f.atMs;
    if (atMs >= loadMs)
      refuse(
        f.spec,
        `starts at ${atMs / 1000} s, but the load lasts ${seconds} s`,
        'Start it earlier, or load for longer.',
      );
    return { ...f, atMs, label: labels[i]! };
  });
}

/**
 * Whether the run may inject these faults: process kinds only on what it started (`--start reference`),
 * link kinds on what it started, or with `--allow-faults` on an external consumer's clients link and
 * the links it connects through the run's proxies (`--link-port`).
 */
export function checkFaultTargets(
  faults: readonly FaultSpec[],
  target: {
    readonly started: boolean;
    readonly allowFaults: boolean;
    readonly linkPorts: Readonly<Partial<Record<FaultLink, number>>>;
  },
): void {
  for (const f of faults) {
    if (target.started) continue;
    if (FAULT_KINDS[f.kind].process)
      refuse(
        f.spec,
        `${f.kind} acts on a process this run did not start`,
        'Process faults need --start reference; on a consumer you run yourself, only net: faults, with --allow-faults.',
      );
    if (f.link !== 'clients' && target.linkPorts[f.link!] === undefined)
      refuse(
        f.spec,
        `the run does not sit on this consumer's ${f.link ?? ''} link`,
        `Give --link-port ${f.link ?? ''}=PORT and point the consumer's ${f.link === 'redis' ? 'Redis' : 'PostgreSQL'} URL at 127.0.0.1:PORT: the run proxies it there (docs/run.md: Faults).`,
      );
    if (!target.allowFaults)
      refuse(
        f.spec,
        'faults on a consumer this run did not start need --allow-faults',
        'Add --allow-faults (or target.allow_faults: true) if faulting its links is what you mean.',
      );
  }
}
