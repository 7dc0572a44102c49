import { formatMs } from '../../shared/latency-histogram.ts';
import type { RunReport } from '../run-report.ts';
import type { RunOutput } from './run-output.ts';

const LOST_SHOWN = 10;

/** The end summary a person reads: figures, then each threshold with ✓ or ✗, then what was lost. */
export function summaryLines(r: RunReport): string[] {
  const p = r.latency_ms.publish_to_client;
  const lines = [
    `run (${r.profile}, ${r.clients} clients, ${(r.elapsed_ms / 1000).toFixed(1)} s): ${r.verdict === 'pass' ? 'PASS' : 'FAIL'}`,
    `  sent                 ${r.delivery.sent} pattern events; every client received ${r.delivery.received_min}–${r.delivery.received_max}${r.delivery.foreign > 0 ? ` (+${r.delivery.foreign} from another producer, not judged)` : ''}`,
    `  publish→client       p50 ${formatMs(p.p50)}  p90 ${formatMs(p.p90)}  p99 ${formatMs(p.p99)}  p99.9 ${formatMs(p.p999)}  max ${formatMs(p.max)}  (${p.count} receipts)`,
    `  generator lateness   p99 ${formatMs(r.generator.lateness_ms_p99)}  max ${formatMs(r.generator.lateness_ms_max)}  (the load tool's own; latency is timed from the intended send time)`,
    ...(r.warmup === null
      ? []
      : [
          `  warm-up              ${r.warmup.seconds} s, ${r.warmup.sent} events before the measured window: p99 ${formatMs(r.warmup.publish_to_client.p99)}, max ${formatMs(r.warmup.publish_to_client.max)} (not judged)`,
        ]),
    `  lost                 ${r.lost.length === 0 ? 'none' : `${r.lost.length} flows`}`,
    ...(r.delivery.unreadable > 0
      ? [
          `  unreadable           ${r.delivery.unreadable} payloads had no flow id or publish time where profile ${r.profile} looks: is --profile right for this consumer?`,
        ]
      : []),
    ...r.thresholds.map(
      (t) =>
        `  ${t.ok ? '✓' : '✗'} ${t.expr.padEnd(36)} ${t.value === null ? 'not measured' : `measured ${t.value}`}`,
    ),
    ...r.lost
      .slice(0, LOST_SHOWN)
      .map((l) => `  lost ${l.flow_id}: received by ${l.clients_received} of ${r.clients} clients`),
  ];
  if (r.lost.length > LOST_SHOWN)
    lines.push(`  … and ${r.lost.length - LOST_SHOWN} more (--out json=FILE lists them)`);
  return lines;
}

export const summaryOutput = (print: (line: string) => void): RunOutput => ({
  name: 'summary',
  write: (report) => {
    summaryLines(report).forEach((line) => print(line));
    return Promise.resolve();
  },
});
