/** A read's last answer, and when that read started (epoch ms). */
export interface Dated<T> {
  readonly value: T;
  readonly at: number;
}

/**
 * `read` asked again only once the time it took is at most `duty` of the time since it started: a
 * read of 36 ms with a duty of 1 % is asked at most every 3.6 s, one of 2 ms every 200 ms. Between, the
 * last answer is given, dated. So a read whose cost grows with the load (the dashboard's window of
 * checkpoints at 1,000 events/s) cannot take more than its share of a machine the pipeline needs, but
 * for the bound on staleness: an answer is never older than `maxAgeMs` when asked for.
 * A failed read is asked again at the next call.
 */
export function dutyCycled<T>(
  read: () => Promise<T>,
  options: { readonly duty: number; readonly maxAgeMs: number; readonly now: () => number },
): () => Promise<Dated<T>> {
  let last: Dated<T> | undefined;
  let nextAt = -Infinity;
  return async () => {
    const started = options.now();
    if (last !== undefined && started < nextAt) return last;
    const value = await read();
    const took = options.now() - started;
    nextAt = started + Math.min(took / options.duty, options.maxAgeMs);
    last = { value, at: started };
    return last;
  };
}
