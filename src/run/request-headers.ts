import { RunUsageError } from './run-error.ts';

/** Extra HTTP headers for the consumer's Socket.IO handshake; values may hold credentials: never printed. */
export type RequestHeaders = Readonly<Record<string, string>>;

// RFC 9110: a header name is a token; a value has no control characters (CR, LF would split the request).
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** `--header 'Name: value'` (repeatable) as a map; a malformed one names its flag, never its value. */
export function parseHeaderFlags(specs: readonly string[]): RequestHeaders | undefined {
  if (specs.length === 0) return undefined;
  const entries = specs.map((spec, i): [string, string] => {
    const colon = spec.indexOf(':');
    const name = spec.slice(0, Math.max(0, colon)).trim();
    const value = spec.slice(colon + 1).trim();
    if (colon < 0 || !NAME.test(name) || !VALUE.test(value))
      throw new RunUsageError(
        'CLI_USAGE',
        `--header (number ${i + 1}): not 'Name: value'${colon < 0 || !NAME.test(name) ? '' : ` (the value of ${name} has a control character)`}`,
        "Write --header 'Authorization: Bearer …', one header per --header; the name is letters, digits and -.",
      );
    return [name, value];
  });
  return Object.fromEntries(entries);
}

/** The scenario's `target.headers`, checked as the flag is (the value is never named). */
export function checkHeaders(headers: RequestHeaders | undefined): RequestHeaders | undefined {
  for (const [name, value] of Object.entries(headers ?? {}))
    if (!NAME.test(name) || !VALUE.test(value))
      throw new RunUsageError(
        'RUN_SCENARIO',
        `target.headers: ${NAME.test(name) ? `the value of ${name} has a control character` : `'${name}' is not a header name`}`,
        'A header name is letters, digits and -; a value is one line.',
      );
  return headers;
}

/** What may be shown of the headers: their names. */
export const headerNames = (headers: RequestHeaders | undefined): string[] => Object.keys(headers ?? {});
