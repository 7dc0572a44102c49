import { acceptsGzip, authorized } from './api-params.ts';
import { ERROR_ENDPOINTS } from './errors/error-api.ts';
import type { ErrorMonitoringDeps } from './errors/error-monitoring.ts';
import type { ResponseCache } from './errors/response-cache.ts';
import { EVENT_ENDPOINTS } from './event-api.ts';
import type { Namespace } from 'socket.io';
import { json, type Route } from './http-server.ts';
import { jsonApi } from './json-api.ts';
import { PAGE_POLICY } from './page-policy.ts';
import type { DashboardAssets } from './dashboard-assets.ts';

/** `/health` and the dashboard (the demo's page too). */
export function pageRoutes(assets: DashboardAssets, health: () => unknown): Route[] {
  return [
    (req, url) => (req.method === 'GET' && url.pathname === '/health' ? json(health()) : undefined),
    (req, url) => {
      const found = req.method === 'GET' ? assets.get(url.pathname) : undefined;
      if (found === undefined) return undefined;
      const headers = {
        'content-security-policy': PAGE_POLICY,
        'cache-control': 'no-cache',
        etag: found.etag,
      };
      if (req.headers['if-none-match'] === found.etag)
        return Promise.resolve({ status: 304, type: found.type, body: '', headers });
      const gzip = acceptsGzip(req);
      return Promise.resolve({
        status: 200,
        type: found.type,
        body: gzip ? found.body.gzip : found.body.raw,
        gzip,
        headers,
      });
    },
  ];
}

/** Spec 004's error API and spec 003's event API, when the consumer has a database to answer from. */
export function apiRoutes(errors: ErrorMonitoringDeps | undefined, cache: ResponseCache): Route[] {
  if (errors?.db === undefined) return [];
  return [
    jsonApi(
      { ...ERROR_ENDPOINTS, ...EVENT_ENDPOINTS },
      { db: errors.db, adminToken: errors.adminToken, cache },
    ),
  ];
}

/**
 * Refuses a handshake on `namespace` without the admin token, when one is configured. The token guards
 * every stream the consumer pushes: `/monitoring` (errors, alerts) and `/` (patterns, criticals, health).
 */
export function requireAdminToken(namespace: Namespace, token: string | undefined): void {
  namespace.use((socket, next) => {
    const presented =
      (socket.handshake.auth as { token?: unknown } | undefined)?.token ??
      /^Bearer (.+)$/.exec(socket.handshake.headers.authorization ?? '')?.[1];
    next(
      authorized(token, presented)
        ? undefined
        : new Error(`unauthorized: ${namespace.name} needs the admin token (auth.token)`),
    );
  });
}
