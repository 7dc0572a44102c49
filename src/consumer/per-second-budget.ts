/**
 * At most `perSecond` takes in each second (fixed windows of the clock: cheap, and bounds a second's
 * rows as well as a sliding window would for a limit meant to stop floods, not to shape traffic).
 */
export function perSecondBudget(now: () => number, perSecond: number): () => boolean {
  let second = -1;
  let taken = 0;
  return () => {
    const current = Math.floor(now() / 1000);
    if (current !== second) [second, taken] = [current, 0];
    if (taken >= perSecond) return false;
    taken += 1;
    return true;
  };
}

/** Takes at most one every `intervalMs`: a sample spread over the second, not its first few. */
export function spacedBy(intervalMs: number, now: () => number): () => boolean {
  let last = -Infinity;
  return () => {
    const t = now();
    if (t - last < intervalMs) return false;
    last = t;
    return true;
  };
}
