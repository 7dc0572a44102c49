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

/**
 * Where JSON.parse gave up. V8 names the position for most errors but not all, so we find the
 * shortest prefix that is no longer the start of some valid JSON text (searched only on failure).
 */
export function jsonErrorPosition(text: string): number {
  const viable = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return true;
    } catch (error) {
      const message = (error as Error).message;
      if (/end of JSON input|Unterminated/i.test(message)) return true;
      const at = /position (\d+)/.exec(message);
      return at !== null && Number(at[1]) >= k;
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (viable(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

function guard(value: unknown, depth: number, path: PathSegment[]): Violation | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > MAX_DEPTH)
    return {
      code: 'TOO_DEEP',
      path: jsonPath(path),
      expected: `nesting of at most ${MAX_DEPTH} levels`,
      found: `deeper nesting`,
    };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      path.push(i);
      const v = guard(value[i], depth + 1, path);
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
      : guard((value as Record<string, unknown>)[key], depth + 1, path);
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const at = jsonErrorPosition(text);
    const near = JSON.stringify(text.slice(Math.max(0, at - 10), at + 10));
    const reason = (error as Error).message.replace(
      / in JSON at position \d+.*$|, ".*" is not valid JSON$/s,
      '',
    );
    return fail({
      code: 'INVALID_JSON',
      path: '$',
      expected: 'one JSON value',
      found: `${reason} at position ${at} (near ${near})`,
      hint: at >= text.length ? 'The message ends early: was it truncated?' : undefined,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return fail(
      { code: 'NOT_AN_OBJECT', path: '$', expected: 'a JSON object', found: describeFound(value) },
      value,
    );
  const unsafe = guard(value, 1, []);
  if (unsafe) return fail(unsafe);
  return { ok: true, value: value as Record<string, unknown> };
}
