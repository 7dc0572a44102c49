import { errorHealth, errorStatistics, recentErrors } from '../../db/error-logs.ts';
import { intParam } from '../api-params.ts';
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
};
