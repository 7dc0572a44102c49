import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import { errorHealth, errorStatistics, recentErrors } from '../../db/error-logs.ts';
import { json, type Route } from '../http-server.ts';
import type { ResponseCache } from './response-cache.ts';

export const RECENT_LIMIT = { default: 100, max: 1000 } as const;
export const STATISTICS_HOURS = { default: 24, max: 24 * 365 } as const;

class BadParameter extends Error {}

function intParam(url: URL, name: string, fallback: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw new BadParameter(`${name} must be a whole number from 1 to ${max}; got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Whether a request or handshake carries the admin token (always, when none is configured). */
export function authorized(token: string | undefined, presented: string | undefined): boolean {
  if (token === undefined) return true;
  if (presented === undefined) return false;
  const [a, b] = [Buffer.from(token), Buffer.from(presented)];
  return a.length === b.length && timingSafeEqual(a, b);
}

const acceptsGzip = (req: IncomingMessage): boolean =>
  /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));

export const bearer = (req: IncomingMessage): string | undefined =>
  /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];

/** Spec 004 Phase 4: /api/errors/recent, /statistics, /health, in its exact shapes. */
export function errorApiRoutes(db: pg.Pool, adminToken: string | undefined, cache: ResponseCache): Route[] {
  const asJson = (query: () => Promise<unknown>) => () =>
    query().then((body) => Buffer.from(JSON.stringify(body)));
  // Each endpoint checks its parameters now and returns the (possibly cached) query to run.
  const endpoints: Record<string, (url: URL) => () => Promise<Buffer>> = {
    '/api/errors/recent': (url) => {
      const limit = intParam(url, 'limit', RECENT_LIMIT.default, RECENT_LIMIT.max);
      return asJson(() => recentErrors(db, limit));
    },
    '/api/errors/statistics': (url) => {
      const hours = intParam(url, 'hours', STATISTICS_HOURS.default, STATISTICS_HOURS.max);
      return asJson(() => errorStatistics(db, hours));
    },
    '/api/errors/health': () => asJson(() => errorHealth(db)),
  };
  return [
    (req, url) => {
      const endpoint = endpoints[url.pathname];
      if (endpoint === undefined) return undefined;
      if (req.method !== 'GET') return json({ error: `${req.method ?? ''} is not allowed; use GET` }, 405);
      if (!authorized(adminToken, bearer(req)))
        return json(
          { error: 'a valid bearer token is required (Authorization: Bearer <HARNESS_ADMIN_TOKEN>)' },
          401,
        );
      try {
        const load = endpoint(url); // validates the parameters first (throws BadParameter)
        return cache
          .get(`${url.pathname}?${url.searchParams.toString()}`, load)
          .then((cached) =>
            acceptsGzip(req)
              ? { status: 200, type: 'application/json', body: cached.gzip, gzip: true }
              : { status: 200, type: 'application/json', body: cached.raw },
          );
      } catch (error) {
        if (error instanceof BadParameter) return json({ error: error.message }, 400);
        throw error;
      }
    },
  ];
}
