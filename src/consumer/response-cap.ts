import { CachedBody } from './cached-body.ts';

/** The most a JSON API response carries (documented in docs/operations.md). */
export const RESPONSE_CAP_BYTES = 4 * 1024 * 1024;

/**
 * A JSON body no larger than the cap: a list that is larger keeps its first rows that fit (newest first,
 * as every list endpoint sorts), and the note says how many of how many. Only lists can be that large.
 */
export function cappedJson(body: unknown, capBytes = RESPONSE_CAP_BYTES): CachedBody {
  const whole = Buffer.from(JSON.stringify(body));
  if (whole.length <= capBytes || !Array.isArray(body)) return new CachedBody(whole);
  const rows: string[] = [];
  let size = 2;
  for (const row of body) {
    const text = JSON.stringify(row);
    size += Buffer.byteLength(text) + (rows.length > 0 ? 1 : 0);
    if (size > capBytes) break;
    rows.push(text);
  }
  return new CachedBody(
    Buffer.from(`[${rows.join(',')}]`),
    `${rows.length} of ${body.length} rows; responses are capped at ${capBytes} bytes, ask for fewer (limit)`,
  );
}
