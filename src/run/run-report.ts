import type { LatencyReport, RunReport } from '../contract/schemas/run-report.ts';
import type { LatencySummary } from '../shared/latency-histogram.ts';
import type { RunResult } from './run-load.ts';

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const latencyReport = (l: LatencySummary): LatencyReport => ({
  count: l.count,
  p50: round(l.p50),
  p90: round(l.p90),
  p99: round(l.p99),
  p999: round(l.p999),
  max: round(l.max),
});

export type { RunReport };

/** The run as its JSON report (schema in src/contract/schemas/run-report.ts). */
export function runReport(r: RunResult): RunReport {
  return {
    schema: 'tickstock-run/1',
    verdict: r.verdict,
    started_at: r.startedAt.toISOString(),
    elapsed_ms: Math.round(r.elapsedMs),
    profile: r.profile,
    clients: r.clients,
    thresholds: r.thresholds.map((t) => ({ ...t, value: t.value === null ? null : round(t.value) })),
    latency_ms: { publish_to_client: latencyReport(r.publishToClient) },
    delivery: {
      sent: r.sent,
      received_min: Math.min(...r.receivedPerClient),
      received_max: Math.max(...r.receivedPerClient),
      foreign: r.foreign,
      unreadable: r.unreadable,
    },
    warmup:
      r.warmup === null
        ? null
        : {
            seconds: r.warmup.seconds,
            sent: r.warmup.sent,
            publish_to_client: latencyReport(r.warmup.publishToClient),
          },
    lost: r.lost.map((l) => ({ flow_id: l.flowId, clients_received: l.clientsReceived })),
    generator: {
      lateness_ms_p99: round(r.generatorLateness.p99),
      lateness_ms_max: round(r.generatorLateness.max),
    },
  };
}
