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

export function dateParam(url: URL, name: string): Date | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const date = new Date(raw);
  if (raw === '' || Number.isNaN(date.getTime()))
    throw new BadParameter(`${name} must be an ISO 8601 date-time; got ${JSON.stringify(raw)}`);
  return date;
}

export function textParam(url: URL, name: string, max: number): string | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  if (raw === '' || raw.length > max) throw new BadParameter(`${name} must be 1 to ${max} characters`);
  return raw;
}

/** Whether a request or handshake carries the admin token (always, when none is configured). */
export function authorized(token: string | undefined, presented: string | undefined): boolean {
  if (token === undefined) return true;
  if (presented === undefined) return false;
  const [a, b] = [Buffer.from(token), Buffer.from(presented)];
  return a.length === b.length && timingSafeEqual(a, b);
}

export const bearer = (req: IncomingMessage): string | undefined =>
  /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];

export const acceptsGzip = (req: IncomingMessage): boolean =>
  /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
