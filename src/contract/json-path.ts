/** The value at a dotted path (`event_data.data.data.flow_id`) in a parsed JSON value, if any. */
export function valueAt(value: unknown, path: string): unknown {
  let here: unknown = value;
  for (const key of path.split('.')) {
    if (here === null || typeof here !== 'object' || !Object.hasOwn(here, key)) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

/** The first string under `key` anywhere in the value, breadth first (the nearest one wins). */
export function findKey(value: unknown, key: string): string | undefined {
  const queue: unknown[] = [value];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const here = queue[i];
    if (here === null || typeof here !== 'object') continue;
    const found = (here as Record<string, unknown>)[key];
    if (Object.hasOwn(here, key) && typeof found === 'string') return found;
    queue.push(...(Object.values(here) as unknown[]));
  }
  return undefined;
}
