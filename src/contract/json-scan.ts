import type { PathSegment } from './violations.ts';

/** Where a text stops being JSON (`tooDeep: false`) or first nests past the bound, and the path there. */
export interface ScanStop {
  readonly at: number;
  readonly tooDeep: boolean;
  readonly path: PathSegment[];
}

// JSON strings forbid raw control characters: matching them is the point here.
// eslint-disable-next-line no-control-regex
const PLAIN_CHARS = /[^"\\\u0000-\u001f]*/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
const LITERALS: Readonly<Record<string, string>> = { t: 'true', f: 'false', n: 'null' };

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

function digitsEnd(text: string, at: number): number {
  while (isDigit(text.charCodeAt(at))) at += 1;
  return at;
}

/** The first character of the escape at `at` that breaks it (in \\u, the first that is not hex). */
function badEscapeAt(text: string, at: number): number {
  if (text[at + 1] !== 'u') return at + 1;
  let k = at + 2;
  while (k < at + 6 && /[0-9a-fA-F]/.test(text[k] ?? '')) k += 1;
  return k;
}

/** Offset just past the string opening at `at`, or the bitwise complement of where it breaks. */
function stringEnd(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    PLAIN_CHARS.lastIndex = i;
    PLAIN_CHARS.test(text);
    i = PLAIN_CHARS.lastIndex;
    const c = text[i];
    if (c === '"') return i + 1;
    if (c !== '\\') return ~i;
    ESCAPE.lastIndex = i;
    if (!ESCAPE.test(text)) return ~badEscapeAt(text, i);
    i = ESCAPE.lastIndex;
  }
}

/** Offset just past the number at `at` (RFC 8259's grammar), or the complement of where it breaks. */
function numberEnd(text: string, at: number): number {
  let i = text[at] === '-' ? at + 1 : at;
  if (!isDigit(text.charCodeAt(i))) return ~i;
  i = text[i] === '0' ? i + 1 : digitsEnd(text, i);
  if (text[i] === '.') {
    if (!isDigit(text.charCodeAt(i + 1))) return ~(i + 1);
    i = digitsEnd(text, i + 1);
  }
  if (text[i] === 'e' || text[i] === 'E') {
    i += text[i + 1] === '+' || text[i + 1] === '-' ? 2 : 1;
    if (!isDigit(text.charCodeAt(i))) return ~i;
    i = digitsEnd(text, i);
  }
  return i;
}

/** Offset just past the scalar (string, number, literal) at `at`, or the complement of where it breaks. */
function scalarEnd(text: string, at: number): number {
  const c = text[at] ?? '';
  if (c === '"') return stringEnd(text, at);
  const word = LITERALS[c];
  if (word === undefined) return numberEnd(text, at);
  let k = 0;
  while (k < word.length && text[at + k] === word[k]) k += 1;
  return k === word.length ? at + k : ~(at + k);
}

interface Open {
  readonly closer: string;
  /** The current key's text (quotes included) or array index. */
  key: string | number;
}

const pathOf = (open: readonly Open[]): PathSegment[] =>
  open.map((o) => (typeof o.key === 'number' ? o.key : (JSON.parse(o.key) as string)));

/**
 * Walks JSON text without recursion, in one pass: the first offset where it can no longer be the start
 * of a JSON text, or the first bracket nested past `maxDepth`; undefined for valid JSON. Run only on
 * failure: JSON.parse's own messages name a position for some errors only, and bisecting with it
 * re-parsed the whole message a dozen times.
 */
export function scanJson(text: string, maxDepth: number): ScanStop | undefined {
  const open: Open[] = [];
  let expect: 'value' | 'key' | 'colon' | 'next' = 'value';
  let first = false; // just after an opening bracket: its closer is welcome
  let i = 0;
  const stop = (at: number, tooDeep = false): ScanStop => ({ at, tooDeep, path: pathOf(open) });
  for (;;) {
    while (isSpace(text.charCodeAt(i))) i += 1;
    if (i >= text.length) return expect === 'next' && open.length === 0 ? undefined : stop(i);
    const c = text[i];
    const top = open[open.length - 1];
    if (first && c === top?.closer) {
      open.pop();
      i += 1;
      expect = 'next';
      first = false;
    } else if (expect === 'next') {
      if (top === undefined || (c !== ',' && c !== top.closer)) return stop(i);
      if (c === top.closer) open.pop();
      else if (typeof top.key === 'number') top.key += 1;
      expect = c === top.closer ? 'next' : top.closer === '}' ? 'key' : 'value';
      i += 1;
    } else if (expect === 'colon') {
      if (c !== ':') return stop(i);
      i += 1;
      expect = 'value';
    } else if (c === '{' || c === '[') {
      if (expect === 'key') return stop(i);
      if (open.length >= maxDepth) return stop(i, true);
      open.push({ closer: c === '{' ? '}' : ']', key: c === '{' ? '""' : 0 });
      i += 1;
      expect = c === '{' ? 'key' : 'value';
      first = true;
    } else {
      if (expect === 'key' && c !== '"') return stop(i);
      const end = scalarEnd(text, i);
      if (end < 0) return stop(~end);
      if (expect === 'key') top!.key = text.slice(i, end);
      expect = expect === 'key' ? 'colon' : 'next';
      i = end;
      first = false;
    }
  }
}
