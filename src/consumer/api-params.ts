import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A query parameter the caller got wrong: answered with 400 and this message. */
export class BadParameter extends Error {}

export function intParam(url: URL, name: string, fallback: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw new BadParameter(`${name} must be a whole number from 1 to ${max}; got ${JSON.stringify(raw)}`);
  return Number(raw);
}

// Years JavaScript reads that PostgreSQL's timestamptz does not (-271821, say) stop here, not in the query.
const YEARS = { min: 1, max: 9999 } as const;

export function dateParam(url: URL, name: string): Date | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const date = new Date(raw);
  const year = date.getUTCFullYear();
  if (raw === '' || Number.isNaN(year) || year < YEARS.min || year > YEARS.max)
    throw new BadParameter(
      `${name} must be an ISO 8601 date-time in the years ${YEARS.min} to ${YEARS.max}; got ${JSON.stringify(raw)}`,
    );
  return date;
}

export function textParam(url: URL, name: string, max: number): string | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  if (raw === '' || raw.length > max) throw new BadParameter(`${name} must be 1 to ${max} characters`);
  // PostgreSQL's text refuses U+0000: a parameter carrying one is the caller's mistake.
  if (raw.includes('\u0000')) throw new BadParameter(`${name} must not contain a NUL character (%00)`);
  return raw;
}

/**
 * Whether a request or handshake carries the admin token (always, when none is configured). A handshake's
 * `auth.token` is whatever the client sent: anything but a string is refused, never passed to Buffer.
 */
export function authorized(token: string | undefined, presented: unknown): boolean {
  if (token === undefined) return true;
  if (typeof presented !== 'string') return false;
  const [a, b] = [Buffer.from(token), Buffer.from(presented)];
  return a.length === b.length && timingSafeEqual(a, b);
}

export const bearer = (req: IncomingMessage): string | undefined =>
  /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];

export const acceptsGzip = (req: IncomingMessage): boolean =>
  /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
