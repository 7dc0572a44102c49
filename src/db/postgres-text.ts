// PostgreSQL's text and jsonb cannot hold NUL (U+0000): what a producer sent with one is stored with
// U+FFFD, the mark of a character that could not be kept, instead of the whole row being refused.

/** A value for a text column. */
export const textForPostgres = (value: string | null): string | null =>
  value === null ? null : value.replaceAll('\u0000', '\ufffd');

/** A value for a jsonb column (null stays SQL NULL). */
export const jsonForPostgres = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value).replace(/\\u0000/g, '\\ufffd');
