import type pg from 'pg';
import { acceptsGzip, authorized, BadParameter, bearer } from './api-params.ts';
import { json, type Route } from './http-server.ts';
import type { ResponseCache } from './errors/response-cache.ts';
import { cappedJson } from './response-cap.ts';
import { isTransientDbError } from '../shared/transient-db-error.ts';

const RETRY_AFTER_SECONDS = 5;
const UNAVAILABLE = {
  status: 503,
  type: 'application/json',
  body: JSON.stringify({ error: `PostgreSQL is not answering; retry in ${RETRY_AFTER_SECONDS} s` }),
};

/** PostgreSQL down, restarting or not answering in time; not a bug of ours (those have no code). */
const databaseAway = (error: unknown): boolean =>
  typeof (error as { code?: unknown }).code === 'string'
    ? isTransientDbError(error)
    : /timeout|terminated|connect/i.test((error as Error).message);

/** Checks a request's parameters and returns the query that answers it. */
export type Endpoint = (url: URL, db: pg.Pool) => () => Promise<unknown>;

/**
 * GET-only JSON endpoints by path prefix: the admin token when configured, 400 for bad parameters,
 * responses through the cache, gzip for clients that accept it.
 */
export function jsonApi(
  endpoints: Readonly<Record<string, Endpoint>>,
  deps: { db: pg.Pool; adminToken: string | undefined; cache: ResponseCache },
): Route {
  const prefixes = Object.keys(endpoints).sort((a, b) => b.length - a.length);
  return (req, url) => {
    const path = prefixes.find((p) => url.pathname === p || (p.endsWith('/') && url.pathname.startsWith(p)));
    if (path === undefined) return undefined;
    if (req.method !== 'GET') return json({ error: `${req.method ?? ''} is not allowed; use GET` }, 405);
    if (!authorized(deps.adminToken, bearer(req)))
      return json(
        { error: 'a valid bearer token is required (Authorization: Bearer <HARNESS_ADMIN_TOKEN>)' },
        401,
      );
    let query: () => Promise<unknown>;
    try {
      query = endpoints[path]!(url, deps.db);
    } catch (error) {
      if (error instanceof BadParameter) return json({ error: error.message }, 400);
      throw error;
    }
    return deps.cache
      .get(`${url.pathname}?${url.searchParams.toString()}`, () => query().then((body) => cappedJson(body)))
      .then((cached) => ({
        status: 200,
        type: 'application/json',
        ...(acceptsGzip(req) ? { body: cached.gzip, gzip: true } : { body: cached.raw }),
        ...(cached.note === undefined ? {} : { headers: { 'x-truncated': cached.note } }),
      }))
      .catch((error: unknown) => {
        if (!databaseAway(error)) throw error;
        return { ...UNAVAILABLE, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } };
      });
  };
}
