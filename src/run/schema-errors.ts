import { Ajv, type ErrorObject } from 'ajv';
import { nearestName } from '../contract/nearest-name.ts';

/** The files a run reads (scenario, baseline report) are checked with this: every error, each with its schema. */
export const schemaAjv = new Ajv({ allErrors: true, verbose: true });

export type Segment = string | number;
const segmentsOf = (instancePath: string): Segment[] =>
  instancePath === ''
    ? []
    : instancePath
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

export const dotted = (segments: readonly Segment[]): string =>
  segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || '(top)';

/** The known keys of the object schema an error sits in, for "did you mean". */
function knownKeys(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties === undefined ? [] : Object.keys(properties);
}

/** One sentence per schema error, naming the key and, for a typo, the nearest known name. */
export function describeSchemaError(error: ErrorObject): { segments: Segment[]; text: string } {
  const segments = segmentsOf(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const near = nearestName(key, knownKeys(error));
      const known = knownKeys(error).join(', ');
      return {
        segments: [...segments, key],
        text: `unknown key '${key}'${near === undefined ? '' : ` (did you mean '${near}'?)`}; known here: ${known}`,
      };
    }
    case 'required':
      return {
        segments: [...segments, String(params['missingProperty'])],
        text: 'is required here',
      };
    default:
      return {
        segments,
        text: `${error.message ?? 'is not valid'}${error.keyword === 'const' ? ` (${JSON.stringify(params['allowedValue'])})` : ''}`,
      };
  }
}

/** `path: what is wrong`, for an error with no line to point at. */
export const schemaErrorLine = (error: ErrorObject): string => {
  const { segments, text } = describeSchemaError(error);
  return `${dotted(segments)}: ${text}`;
};
