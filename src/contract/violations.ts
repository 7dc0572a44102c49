export const VIOLATION_CODES = [
  'TOO_LARGE',
  'INVALID_UTF8',
  'INVALID_JSON',
  'NOT_AN_OBJECT',
  'TOO_DEEP',
  'FORBIDDEN_KEY',
  'UNKNOWN_CHANNEL',
  'UNKNOWN_MESSAGE',
  'WRONG_CHANNEL',
  'MISSING_FIELD',
  'WRONG_TYPE',
  'WRONG_VALUE',
  'OUT_OF_RANGE',
  'BAD_FORMAT',
] as const;
export type ViolationCode = (typeof VIOLATION_CODES)[number];

/** One thing wrong with a message: where (a JSON path), what was expected, what was found, and the fix. */
export interface Violation {
  readonly code: ViolationCode;
  readonly path: string;
  readonly expected: string;
  readonly found: string;
  readonly hint?: string;
}

/** Something accepted but worth knowing, such as an unknown field (tolerated for forward compatibility). */
export interface Note {
  readonly path: string;
  readonly note: string;
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['data', 'tags', 0]` → `$.data.tags[0]`; odd keys are quoted: `$['a b']`. */
export function jsonPath(segments: readonly PathSegment[]): string {
  let path = '$';
  for (const s of segments) {
    if (typeof s === 'number') path += `[${s}]`;
    else if (IDENTIFIER.test(s)) path += `.${s}`;
    else path += `[${JSON.stringify(s)}]`;
  }
  return path;
}

/**
 * JSON text of `value`, cut once longer than `room`: walks only what it shows, so a huge or deeply
 * nested value costs no more than a small one (each level spends a character, bounding the recursion).
 */
function jsonPreview(value: unknown, room: number): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, room));
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? typeof value;
  const array = Array.isArray(value);
  let text = array ? '[' : '{';
  for (const key of array ? value.keys() : Object.keys(value)) {
    if (text.length > room) return text;
    if (text.length > 1) text += ',';
    if (!array) text += `${JSON.stringify(key)}:`;
    text += jsonPreview((value as Record<string | number, unknown>)[key], room - text.length);
  }
  return text + (array ? ']' : '}');
}

/** A short, printable rendering of a found value. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const text = jsonPreview(value, 60);
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return `${kind} ${shown}`;
}
