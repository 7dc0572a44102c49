import { ConfigError, type ConfigIssue } from './config-error.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads typed values from an environment, collecting every problem before failing once. */
export class EnvReader {
  private readonly issues: ConfigIssue[] = [];

  constructor(private readonly env: Env) {}

  raw(key: string): string | undefined {
    const value = this.env[key];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(key: string, fallback: string): string {
    return this.raw(key) ?? fallback;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.issues.push({ key, value, expected: `one of ${allowed.join(', ')}` });
    return fallback;
  }

  int(key: string, fallback: number, min: number, max: number): number {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed;
    this.issues.push({ key, value, expected: `an integer from ${min} to ${max}` });
    return fallback;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.issues.push({ key, value, expected: 'true or false' });
    return fallback;
  }

  /** A share written INDEX/COUNT, 1 ≤ INDEX ≤ COUNT ≤ `max`: which of a group of processes this is. */
  share(key: string, max: number): { index: number; count: number } | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const m = /^(\d+)\/(\d+)$/.exec(value);
    const [index, count] = [Number(m?.[1]), Number(m?.[2])];
    if (m && index >= 1 && index <= count && count <= max) return { index, count };
    this.issues.push({ key, value, expected: `INDEX/COUNT with 1 ≤ INDEX ≤ COUNT ≤ ${max}, e.g. 1/2` });
    return undefined;
  }

  /** A local time of day written HH:MM. */
  clockTime(key: string, fallback: { hour: number; minute: number }): { hour: number; minute: number } {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const m = /^(\d{1,2}):(\d{2})$/.exec(value);
    if (m && Number(m[1]) < 24 && Number(m[2]) < 60) return { hour: Number(m[1]), minute: Number(m[2]) };
    this.issues.push({ key, value, expected: 'a time of day HH:MM, e.g. 02:00' });
    return fallback;
  }

  /** The first of `keys` that is set, checked to be a URL with one of `protocols`. */
  url(keys: readonly string[], protocols: readonly string[]): string | undefined {
    for (const key of keys) {
      const value = this.raw(key);
      if (value === undefined) continue;
      let protocol: string | undefined;
      try {
        protocol = new URL(value).protocol;
      } catch {
        protocol = undefined;
      }
      if (protocol !== undefined && protocols.includes(protocol)) return value;
      this.issues.push({
        key,
        value: '<redacted URL>',
        expected: `a URL starting with ${protocols.join(' or ')}//`,
      });
      return undefined;
    }
    return undefined;
  }

  /** A value `parse` reads, or says why it cannot; shown redacted (it may hold a password). */
  parsed<T extends object>(key: string, parse: (value: string) => T | { problem: string }): T | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const result = parse(value);
    if (!('problem' in result)) return result;
    this.issues.push({ key, value: '<redacted>', expected: result.problem });
    return undefined;
  }

  /** Throws one ConfigError naming every bad key, or returns the value frozen. */
  finish<T extends object>(value: T): Readonly<T> {
    if (this.issues.length > 0) throw new ConfigError(this.issues);
    return Object.freeze(value);
  }
}
