import { BadParameter, dateParam, intParam, textParam } from './api-params.ts';
import type { Endpoint } from './json-api.ts';
import { UUID_PATTERN } from '../contract/schemas/common.ts';
import { eventStatistics, findEvents, searchEvents, traceCorrelation } from '../bus/event-queries.ts';

const LIMIT = { default: 100, max: 1000 } as const;
const UUID = new RegExp(UUID_PATTERN);

// In JSON text, NUL is `\u0000` after an even number of backslashes (an odd one escapes the backslash).
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/;

function jsonObjectParam(url: URL, name: string): object {
  const raw = url.searchParams.get(name);
  let value: unknown;
  try {
    value = raw === null ? undefined : JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new BadParameter(
      `${name} must be a JSON object to look for in the event data, e.g. {"symbol":"AAPL"}`,
    );
  if (ESCAPED_NUL.test(JSON.stringify(value)))
    throw new BadParameter(`${name} must not contain \\u0000: the event data (jsonb) cannot hold one`);
  return value;
}

/** Spec 003's query service over HTTP: /api/events (filters), /trace/<id>, /search?q=, /statistics. */
export const EVENT_ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  '/api/events': (url, db) => {
    const filter = {
      channel: textParam(url, 'channel', 50),
      eventType: textParam(url, 'type', 100),
      source: textParam(url, 'source', 100),
      since: dateParam(url, 'since'),
      until: dateParam(url, 'until'),
      limit: intParam(url, 'limit', LIMIT.default, LIMIT.max),
    };
    return () => findEvents(db, filter);
  },
  '/api/events/trace/': (url, db) => {
    const id = url.pathname.slice('/api/events/trace/'.length);
    if (!UUID.test(id))
      throw new BadParameter(`the correlation id must be a UUID; got ${JSON.stringify(id)}`);
    return () => traceCorrelation(db, id);
  },
  '/api/events/search': (url, db) => {
    const fragment = jsonObjectParam(url, 'q');
    const limit = intParam(url, 'limit', LIMIT.default, LIMIT.max);
    return () => searchEvents(db, fragment, limit);
  },
  '/api/events/statistics': (url, db) => {
    const hours = intParam(url, 'hours', 24, 24 * 365);
    return () => eventStatistics(db, new Date(Date.now() - hours * 3_600_000));
  },
};
