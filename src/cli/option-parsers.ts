import { InvalidArgumentError } from 'commander';
import {
  CONSUMER_PROFILES,
  findProfile,
  PROFILE_NAMES,
  type ConsumerProfile,
} from '../contract/consumer-profiles.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { parseClusterTarget, type ClusterTarget } from '../services/cluster-target.ts';

/**
 * The one set of option parsers every command uses (commander's argParser): a bad value is refused
 * while the command line is parsed, before any work starts, and main.ts turns it into exit 2.
 */

const numberFrom = (value: string): number => {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a number.`);
  return n;
};

const within = (n: number, min: number, max: number, what: string): number => {
  if (n < min || n > max) throw new InvalidArgumentError(`${n} is out of range: ${what}.`);
  return n;
};

/** A number > 0 and at most `max` (rates, durations, intervals). */
export const positiveNumber =
  (max: number, min = 0) =>
  (value: string): number => {
    const n = numberFrom(value);
    if (n <= min) throw new InvalidArgumentError(`${n} must be greater than ${min}.`);
    return within(n, min, max, `at most ${max}`);
  };

/** A number ≥ 0 and at most `max` (optional rates, pauses). */
export const nonNegativeNumber =
  (max: number) =>
  (value: string): number =>
    within(numberFrom(value), 0, max, `0 to ${max}`);

const wholeWithin =
  (min: number, max: number) =>
  (value: string): number => {
    const n = numberFrom(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${n} is not a whole number.`);
    return within(n, min, max, `${min} to ${max}`);
  };

/** A percentage ≥ 0 and at most `max`, written `10%` or `10`. */
export const percent =
  (max: number) =>
  (value: string): number =>
    within(numberFrom(value.trim().replace(/%$/, '')), 0, max, `0 % to ${max} %`);

/** A whole number ≥ 1 and at most `max` (counts, limits). */
export const positiveInteger = (max: number) => wholeWithin(1, max);

/** A whole number ≥ 0 and at most `max` (counts where none is a choice). */
export const nonNegativeInteger = (max: number) => wholeWithin(0, max);

/** A seed: a whole number 0 … 2^31-1, so that it reproduces in every generator. */
export function seed(value: string): number {
  const n = numberFrom(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${n} is not a whole number.`);
  return within(n, 0, 2 ** 31 - 1, `0 to ${2 ** 31 - 1}`);
}

/** A TCP port; 0 picks a free one. */
export function port(value: string): number {
  const n = numberFrom(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${n} is not a whole number.`);
  return within(n, 0, 65_535, '0 to 65535 (0 picks a free port)');
}

/** `--link-port redis=16379`: a link of a consumer the run did not start, and the port its proxy listens on. */
export function linkPort(
  value: string,
  previous: Readonly<Partial<Record<'redis' | 'postgres', number>>> = {},
): Partial<Record<'redis' | 'postgres', number>> {
  const [link = '', at = ''] = value.split('=');
  if (link !== 'redis' && link !== 'postgres')
    throw new InvalidArgumentError(`${value}: write redis=PORT or postgres=PORT.`);
  const n = port(at);
  if (n === 0)
    throw new InvalidArgumentError(`${value}: the consumer must be told the port, so 0 cannot be it.`);
  return { ...previous, [link]: n };
}

/** One of a fixed set of words. */
export const oneOf =
  <T extends string>(choices: readonly T[]) =>
  (value: string): T => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not one of ${choices.join(', ')}.`);
  };

/** `--profile X` of every command where X is `all` too (validate: every profile's verdict). */
export const ALL_PROFILES = 'all';

// Not an InvalidArgumentError: commander passes this one through, so every command says it the same
// way (exit 2, CLI_USAGE, the nearest name), as `tickstock run --profile` always has.
function profileNamed(name: string, otherWords: readonly string[]): ConsumerProfile {
  const { profile, nearest } = findProfile(name, otherWords);
  if (profile !== undefined) return profile;
  const words = [...PROFILE_NAMES, ...otherWords];
  throw new HarnessError(
    'CLI_USAGE',
    `--profile ${name}: no such consumer profile`,
    nearest === undefined
      ? `Use --profile ${words.slice(0, -1).join(', ')} or ${words.at(-1)!}.`
      : `Did you mean ${nearest}?`,
  );
}

/** A consumer profile by name (src/contract/consumer-profiles.ts). */
export const profile = (value: string): ConsumerProfile => profileNamed(value, []);

/** `--profile`, repeatable, or `all`: the profiles named, in order, each once. */
export function profiles(value: string, previous: readonly ConsumerProfile[] = []): ConsumerProfile[] {
  const named =
    value === ALL_PROFILES ? Object.values(CONSUMER_PROFILES) : [profileNamed(value, [ALL_PROFILES])];
  return [...previous, ...named.filter((p) => !previous.includes(p))];
}

/** Upper bounds: past these a run cannot be what the user meant (a typo such as 1e9). */
export const LIMITS = {
  ratePerSecond: 1_000_000,
  seconds: 7 * 24 * 3600,
  count: 1_000_000_000,
} as const;

/** A share, 0 to 1 (of messages). */
export const share = nonNegativeNumber(1);

export const rate = positiveNumber(LIMITS.ratePerSecond);
export const optionalRate = nonNegativeNumber(LIMITS.ratePerSecond);
export const seconds = positiveNumber(LIMITS.seconds);
export const count = positiveInteger(LIMITS.count);
/** A wait or timeout in milliseconds, 0 to an hour. */
export const milliseconds = nonNegativeInteger(3_600_000);

/** `--out json=FILE` where JSON is the one report a command writes. */
export function jsonOut(value: string): string {
  const [kind, path] = value.split(/=(.*)/s);
  if (kind !== 'json' || !path) throw new InvalidArgumentError(`${JSON.stringify(value)}: write json=FILE.`);
  return path;
}

/** `--redis-cluster host:port,…`: a Redis Cluster's nodes (credentials as redis://:PASSWORD@ on one). */
export const clusterNodes = (value: string): ClusterTarget => {
  const target = parseClusterTarget(value);
  if ('problem' in target) throw new InvalidArgumentError(`expected ${target.problem}.`);
  return target;
};
