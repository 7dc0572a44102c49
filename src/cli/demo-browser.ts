import { SPEC_PROFILE } from '../contract/consumer-profiles.ts';
import { connectClients } from '../run/clients/socket-clients.ts';
import type { Clock } from '../shared/clock.ts';
import { formatMs, LatencyHistogram } from '../shared/latency-histogram.ts';
import { LatencyWindow } from '../shared/latency-window.ts';
import type { DueEvent } from '../sim/send-queue.ts';

/**
 * The demo's built-in browser: one headless Socket.IO client where the page listens, timing each
 * pattern from the publish time in its payload as the page does, so the status line measures at a
 * browser even when nobody has the page open. Flows published and not yet received are kept until
 * they arrive: what is left at the end is what the browser never got.
 */
export async function connectDemoBrowser(url: string, clock: Clock, windowSeconds: number) {
  const pending = new Set<string>();
  const whole = new LatencyHistogram();
  const window = new LatencyWindow(windowSeconds);
  let published = 0;
  let received = 0;
  let allArrived: (() => void) | undefined;
  const clients = await connectClients({ url, path: undefined, token: undefined }, SPEC_PROFILE, 1, {
    clock,
    onPattern: (r) => {
      if (!pending.delete(r.flowId)) return; // not the demo's own flow, or one already counted
      received += 1;
      whole.record(r.receivedAtMs - r.publishedAtMs);
      window.record(r.receivedAtMs - r.publishedAtMs);
      if (pending.size === 0) allArrived?.();
    },
    // Left pending: counted as missing at the end.
    onUnreadable: () => undefined,
  });
  return {
    /** The simulator's `onPublishing`: told before each PUBLISH, so no receipt can come first. */
    publishing: (batch: readonly DueEvent[]): void => {
      for (const { event } of batch) pending.add(event.data.flow_id);
      published += batch.length;
    },
    counts: () => ({ published, received }),
    /** Publish→browser over the last `windowSeconds`; `advance()` once a second moves the window. */
    window,
    /** Resolves once every published flow has arrived, or after `timeoutMs` (the rest are missing). */
    settled(timeoutMs: number): Promise<void> {
      if (pending.size === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        allArrived = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    /** The end summary: publish→browser over the whole run, and delivery. */
    summary(): string[] {
      const s = whole.summary();
      return [
        s.count === 0
          ? 'publish→browser (built-in client): nothing received'
          : `publish→browser (built-in client, whole run): p50 ${formatMs(s.p50)}, p99 ${formatMs(s.p99)}, max ${formatMs(s.max)}`,
        `delivered to the built-in client: ${received} of ${published} published; ${pending.size} flows missing`,
      ];
    },
    close: (): void => clients.close(),
  };
}

export type DemoBrowser = Awaited<ReturnType<typeof connectDemoBrowser>>;
