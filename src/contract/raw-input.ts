import { scanJson } from './json-scan.ts';
import { describeFound, jsonPath, type PathSegment, type Violation } from './violations.ts';

/** Largest message accepted: a pattern event is ~300 bytes, an error with a traceback a few KiB. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** Deepest nesting accepted; the specs' messages nest 3 levels, free-form metadata a few more. */
export const MAX_DEPTH = 32;
/** Keys that could reach an object's prototype when a consumer merges the message into another object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type Decoded =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly violation: Violation; readonly value?: unknown };

const fail = (violation: Violation, value?: unknown): Decoded => ({ ok: false, violation, value });

function byteLength(input: string | Uint8Array): number {
  if (typeof input !== 'string') return input.byteLength;
  // Each UTF-16 unit is 1 to 3 UTF-8 bytes: count exactly only when the bound is in doubt.
  return input.length * 3 <= MAX_MESSAGE_BYTES ? input.length : Buffer.byteLength(input, 'utf8');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Offset of the first byte that cannot start or continue valid UTF-8 (searched only on failure). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      low = mid + 1;
    } catch {
      high = mid;
    }
  }
  return low;
}

/** Whether brackets outside strings nest past `max` (the cheap test before JSON.parse, which is not). */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = closingQuote(text, i);
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return false;
}

/** Offset of the quote closing the string opened at `open` (text.length when there is none). */
function closingQuote(text: string, open: number): number {
  for (let from = open + 1; ; ) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let escapes = 0;
    while (quote - escapes > from && text.charCodeAt(quote - escapes - 1) === 0x5c) escapes += 1;
    if (escapes % 2 === 0) return quote;
    from = quote + 1;
  }
}

const tooDeep = (path: readonly PathSegment[]): Violation => ({
  code: 'TOO_DEEP',
  path: jsonPath(path),
  expected: `nesting of at most ${MAX_DEPTH} levels`,
  found: `deeper nesting`,
});

/** Where JSON.parse gave up: as its message says when it says, else found by one scan. */
function errorPosition(text: string, message: string): number {
  if (/end of JSON input/.test(message)) return text.length;
  const stated = /at position (\d+)/.exec(message);
  return stated === null ? (scanJson(text, MAX_DEPTH)?.at ?? text.length) : Number(stated[1]);
}

function invalidJson(text: string, error: Error): Violation {
  const at = errorPosition(text, error.message);
  const near = JSON.stringify(text.slice(Math.max(0, at - 10), at + 10));
  const reason = error.message.replace(
    /(?: in JSON)? at position \d+.*$|, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s,
    '',
  );
  return {
    code: 'INVALID_JSON',
    path: '$',
    expected: 'one JSON value',
    found: `${reason} at position ${at} (near ${near})`,
    hint: at >= text.length ? 'The message ends early: was it truncated?' : undefined,
  };
}

/** The first key that could reach a prototype; nesting is bounded before parsing, so recursion is safe. */
function forbiddenKey(value: unknown, path: PathSegment[]): Violation | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      path.push(i);
      const v = forbiddenKey(value[i], path);
      path.pop();
      if (v) return v;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    path.push(key);
    const v = FORBIDDEN_KEYS.has(key)
      ? {
          code: 'FORBIDDEN_KEY' as const,
          path: jsonPath(path),
          expected: 'no __proto__, constructor or prototype keys',
          found: `key ${JSON.stringify(key)}`,
        }
      : forbiddenKey((value as Record<string, unknown>)[key], path);
    path.pop();
    if (v) return v;
  }
  return undefined;
}

/** Bytes (or text) in, a plain JSON object out, or the one reason it is not one. Never throws. */
export function decodeRaw(input: string | Uint8Array): Decoded {
  const size = byteLength(input);
  if (size > MAX_MESSAGE_BYTES)
    return fail({
      code: 'TOO_LARGE',
      path: '$',
      expected: `at most ${MAX_MESSAGE_BYTES} bytes`,
      found: `${size} bytes`,
    });
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = strictUtf8.decode(input);
    } catch {
      const at = firstInvalidUtf8(input);
      return fail({
        code: 'INVALID_UTF8',
        path: '$',
        expected: 'UTF-8 text',
        found: `an invalid byte sequence at byte ${at}`,
      });
    }
  }
  // Checked before parsing: JSON.parse of 260,000 '[' alone costs ~10 ms, the scan well under 1 ms.
  if (nestsDeeperThan(text, MAX_DEPTH)) {
    const stop = scanJson(text, MAX_DEPTH);
    if (stop?.tooDeep) return fail(tooDeep(stop.path));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(invalidJson(text, error as Error));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return fail(
      { code: 'NOT_AN_OBJECT', path: '$', expected: 'a JSON object', found: describeFound(value) },
      value,
    );
  const unsafe = forbiddenKey(value, []);
  if (unsafe) return fail(unsafe);
  return { ok: true, value: value as Record<string, unknown> };
}
