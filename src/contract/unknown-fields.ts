import type { TSchema } from '@sinclair/typebox';
import { jsonPath, type Note, type PathSegment } from './violations.ts';

type Described = TSchema & { properties?: Record<string, TSchema>; type?: unknown; additionalProperties?: unknown };

/**
 * Fields the schema does not name, where it names fields: accepted, and reported as notes; not where
 * it says `additionalProperties: true`, a schema that names only what it requires of a message.
 */
export function unknownFieldNotes(
  schema: Described,
  value: unknown,
  path: PathSegment[] = [],
  out: Note[] = [],
): Note[] {
  const properties = schema.properties;
  if (schema.type !== 'object' || properties === undefined || value === null || typeof value !== 'object')
    return out;
  for (const key of Object.keys(value)) {
    const child = properties[key];
    path.push(key);
    if (child === undefined) {
      if (schema.additionalProperties !== true)
        out.push({ path: jsonPath(path), note: 'unknown field, accepted (forward compatibility)' });
    }
    else unknownFieldNotes(child, (value as Record<string, unknown>)[key], path, out);
    path.pop();
  }
  return out;
}
