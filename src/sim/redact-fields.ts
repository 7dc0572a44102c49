export const REDACTED = '[redacted]';

/**
 * The message with the values of the named fields (at any depth) blanked, re-encoded; null when it is
 * not JSON or holds none of them (then its bytes stay exactly as they were).
 */
export function redactFields(bytes: Buffer, fields: ReadonlySet<string>): Buffer | null {
  if (fields.size === 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  let blanked = false;
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node)) {
      if (fields.has(key)) {
        (node as Record<string, unknown>)[key] = REDACTED;
        blanked = true;
      } else walk(child);
    }
  };
  walk(value);
  return blanked ? Buffer.from(JSON.stringify(value)) : null;
}
