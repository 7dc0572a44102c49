import type { ClientError } from '../../contract/schemas/client-payloads.ts';

export interface ThrottleDeps {
  readonly now: () => number;
  readonly emit: (error: ClientError) => void;
}

/**
 * Spec 004 risk 4: at most `perSecond` broadcasts a second on one namespace. Past that, errors are
 * counted per severity and category and sent as one "N similar errors" summary when the second ends.
 * A critical is never held back or folded into a summary: it is always sent on its own.
 */
export function createBroadcastThrottle(deps: ThrottleDeps, perSecond: number) {
  let windowStart = 0;
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const held = new Map<string, { first: ClientError; count: number }>();

  const flush = (): void => {
    timer = undefined;
    windowStart = deps.now();
    sent = 0;
    for (const { first, count } of held.values()) {
      sent += 1;
      deps.emit({
        ...first,
        id: `aggregate-${windowStart.toFixed(0)}-${first.severity}-${first.category}`,
        type: 'AggregatedErrors',
        message: `${count} similar ${first.severity} errors (${first.category}) in the last second; latest: ${first.message}`,
        symbol: null,
        component: null,
        timestamp: new Date(windowStart).toISOString(),
        count,
      });
    }
    held.clear();
  };

  return {
    offer(error: ClientError): void {
      const now = deps.now();
      if (now - windowStart >= 1000 && held.size === 0) {
        windowStart = now;
        sent = 0;
      }
      if (error.severity === 'critical' || sent < perSecond) {
        sent += 1;
        deps.emit(error);
        return;
      }
      const key = `${error.severity}/${error.category}`;
      const group = held.get(key);
      if (group === undefined) held.set(key, { first: error, count: 1 });
      else held.set(key, { first: error, count: group.count + 1 });
      timer ??= setTimeout(flush, Math.max(0, windowStart + 1000 - now));
    },
    close(): void {
      clearTimeout(timer);
      if (held.size > 0) flush();
    },
  };
}
