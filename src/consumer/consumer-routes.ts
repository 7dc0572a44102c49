import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../shared/package-root.ts';
import { CATEGORIES } from '../contract/schemas/error-message.ts';
import { authorized } from './api-params.ts';
import { ERROR_ENDPOINTS } from './errors/error-api.ts';
import type { ErrorMonitoringDeps } from './errors/error-monitoring.ts';
import type { ResponseCache } from './errors/response-cache.ts';
import { EVENT_ENDPOINTS } from './event-api.ts';
import { json, type ConsumerServer, type Route } from './http-server.ts';
import { jsonApi } from './json-api.ts';

// The dashboard takes its category list from the contract, the one place it is defined.
const DASHBOARD = readFileSync(join(PACKAGE_ROOT, 'src/consumer/web/dashboard.html'), 'utf8').replace(
  '/*CATEGORIES*/ []',
  JSON.stringify(CATEGORIES),
);
/** One page: errors, alerts and the live pattern flow (the demo's page too). */
const PAGES: Readonly<Record<string, string>> = { '/': DASHBOARD, '/dashboard': DASHBOARD };

/** `/health` and the dashboard. */
export function pageRoutes(health: () => unknown): Route[] {
  return [
    (req, url) => (req.method === 'GET' && url.pathname === '/health' ? json(health()) : undefined),
    (req, url) => {
      const body = req.method === 'GET' ? PAGES[url.pathname] : undefined;
      return body === undefined
        ? undefined
        : Promise.resolve({ status: 200, type: 'text/html; charset=utf-8', body });
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

/** Refuses a handshake on `namespace` without the admin token, when one is configured. */
export function requireAdminToken(namespace: ConsumerServer['monitoring'], token: string | undefined): void {
  namespace.use((socket, next) => {
    const presented =
      (socket.handshake.auth as { token?: string }).token ??
      /^Bearer (.+)$/.exec(socket.handshake.headers.authorization ?? '')?.[1];
    next(
      authorized(token, presented) ? undefined : new Error('unauthorized: /monitoring needs the admin token'),
    );
  });
}
