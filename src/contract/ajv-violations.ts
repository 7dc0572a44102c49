import type { ErrorObject } from 'ajv';
import { describeFound, type PathSegment, type ViolationCode } from './violations.ts';

/** A violation before its path is formatted, so that hints can look at the value there. */
export interface RawViolation {
  readonly code: ViolationCode;
  readonly segments: readonly PathSegment[];
  readonly expected: string;
  readonly found: string;
}

interface SchemaLike {
  readonly type?: unknown;
  readonly description?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly properties?: Readonly<Record<string, SchemaLike>>;
}

function segmentsOf(instancePath: string): PathSegment[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describeSchema(schema: SchemaLike | undefined): string {
  if (schema === undefined) return 'a value';
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.enum !== undefined) return `one of ${schema.enum.join(', ')}`;
  const type = typeof schema.type === 'string' ? `a ${schema.type}` : 'a value';
  return schema.description === undefined ? type : `${type} (${schema.description})`;
}

function describeRange(schema: SchemaLike): string {
  const low =
    schema.minimum !== undefined
      ? `≥ ${schema.minimum}`
      : schema.exclusiveMinimum !== undefined
        ? `> ${schema.exclusiveMinimum}`
        : '';
  const high =
    schema.maximum !== undefined
      ? `≤ ${schema.maximum}`
      : schema.exclusiveMaximum !== undefined
        ? `< ${schema.exclusiveMaximum}`
        : '';
  return `a number ${[low, high].filter(Boolean).join(' and ')}`;
}

function describeLength(schema: SchemaLike): string {
  const min = schema.minLength ?? 0;
  return schema.maxLength === undefined
    ? `a string of at least ${min} characters`
    : `a string of ${min} to ${schema.maxLength} characters`;
}

function fromOne(error: ErrorObject): RawViolation | undefined {
  const segments = segmentsOf(error.instancePath);
  const parent = error.parentSchema as SchemaLike | undefined;
  const found = describeFound(error.data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      return {
        code: 'MISSING_FIELD',
        segments: [...segments, missing],
        expected: describeSchema(parent?.properties?.[missing]),
        found: 'nothing',
      };
    }
    case 'type':
      return { code: 'WRONG_TYPE', segments, expected: `a ${String(params['type'])}`, found };
    case 'const':
      return { code: 'WRONG_VALUE', segments, expected: JSON.stringify(params['allowedValue']), found };
    case 'enum':
      return {
        code: 'WRONG_VALUE',
        segments,
        expected: `one of ${(params['allowedValues'] as unknown[]).join(', ')}`,
        found,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { code: 'OUT_OF_RANGE', segments, expected: describeRange(parent ?? {}), found };
    case 'minLength':
    case 'maxLength':
      return { code: 'BAD_FORMAT', segments, expected: describeLength(parent ?? {}), found };
    case 'pattern':
      return { code: 'BAD_FORMAT', segments, expected: describeSchema(parent), found };
    default:
      return { code: 'BAD_FORMAT', segments, expected: error.message ?? describeSchema(parent), found };
  }
}

const jsonType = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;

/**
 * Ajv's errors (allErrors, verbose) as violations. An anyOf (a nullable field, ISO-or-seconds
 * time) yields one violation: the branch of the value's own type if there is one, else a type error.
 */
export function fromAjvErrors(errors: readonly ErrorObject[]): RawViolation[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const inAnyOf = (e: ErrorObject) =>
    anyOfs.find((a) => e !== a && e.schemaPath.startsWith(`${a.schemaPath}/`));
  const out: RawViolation[] = [];
  for (const error of errors) {
    if (inAnyOf(error)) continue;
    if (error.keyword !== 'anyOf') {
      const v = fromOne(error);
      if (v) out.push(v);
      continue;
    }
    const branches = errors.filter(
      (e) => e.schemaPath.startsWith(`${error.schemaPath}/`) && e.keyword !== 'type',
    );
    const ownType = jsonType(error.data);
    const sameType = branches.find((b) => {
      const t = (b.parentSchema as SchemaLike | undefined)?.type;
      return t === ownType || (t === 'number' && ownType === 'integer');
    });
    const mapped = sameType ? fromOne(sameType) : undefined;
    out.push(
      mapped ?? {
        code: 'WRONG_TYPE',
        segments: segmentsOf(error.instancePath),
        expected: describeSchema(error.parentSchema as SchemaLike),
        found: describeFound(error.data),
      },
    );
  }
  const seen = new Set<string>();
  return out.filter((v) => {
    const key = `${v.code} ${v.segments.join('/')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
