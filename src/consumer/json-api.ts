import type pg from 'pg';
import { acceptsGzip, authorized, BadParameter, bearer } from './api-params.ts';
import { json, type Route } from './http-server.ts';
import type { ResponseCache } from './errors/response-cache.ts';

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
      .get(`${url.pathname}?${url.searchParams.toString()}`, () =>
        query().then((body) => Buffer.from(JSON.stringify(body))),
      )
      .then((cached) =>
        acceptsGzip(req)
          ? { status: 200, type: 'application/json', body: cached.gzip, gzip: true }
          : { status: 200, type: 'application/json', body: cached.raw },
      );
  };
}
