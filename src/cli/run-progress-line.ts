import { formatMs } from '../shared/latency-histogram.ts';
import type { RunProgress } from '../run/run-load.ts';

/**
 * The live line of `tickstock run`: sent, the fewest received, the send rate, publish→client p50/p99
 * so far and what is still missing. The warm-up is timed apart and never judged: it shows only its pace.
 */
export function formatRunProgress(p: RunProgress): string {
  const head = `${(p.elapsedMs / 1000).toFixed(0)} s · sent ${p.sent} · ${p.sendRate.toFixed(0)}/s`;
  if (p.phase === 'warm-up') return `warming up · ${head}`;
  const latency =
    p.publishToClient.count === 0
      ? 'p50 – · p99 –'
      : `p50 ${formatMs(p.publishToClient.p50)} · p99 ${formatMs(p.publishToClient.p99)}`;
  return `${head} · received (fewest) ${p.receivedMin} · ${latency} · missing ${p.missing}`;
}
