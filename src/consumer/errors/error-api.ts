import { errorHealth, errorStatistics, recentErrors } from '../../db/error-logs.ts';
import { errorDetail } from '../../db/error-detail.ts';
import { BadParameter, intParam } from '../api-params.ts';
import type { Endpoint } from '../json-api.ts';

export const RECENT_LIMIT = { default: 100, max: 1000 } as const;
export const STATISTICS_HOURS = { default: 24, max: 24 * 365 } as const;

/** Spec 004 Phase 4: /api/errors/recent, /statistics, /health, in its exact shapes. */
export const ERROR_ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  '/api/errors/recent': (url, db) => {
    const limit = intParam(url, 'limit', RECENT_LIMIT.default, RECENT_LIMIT.max);
    return () => recentErrors(db, limit);
  },
  '/api/errors/statistics': (url, db) => {
    const hours = intParam(url, 'hours', STATISTICS_HOURS.default, STATISTICS_HOURS.max);
    return () => errorStatistics(db, hours);
  },
  '/api/errors/health': (_, db) => () => errorHealth(db),
  // The dashboard's row, opened: context and traceback; null when nothing is stored under the id.
  '/api/errors/detail/': (url, db) => {
    const id = errorIdOf(url.pathname.slice('/api/errors/detail/'.length));
    return async () => (await errorDetail(db, id)) ?? null;
  },
};

/** error_logs.error_id is VARCHAR(255), and PostgreSQL's text refuses U+0000. */
function errorIdOf(raw: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw new BadParameter(`the error id is not valid percent-encoding; got ${JSON.stringify(raw)}`);
  }
  if (id === '' || id.length > 255 || id.includes('\u0000'))
    throw new BadParameter('the error id must be 1 to 255 characters, without NUL');
  return id;
}
