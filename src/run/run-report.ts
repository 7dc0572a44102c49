import type { LatencySummary } from '../shared/latency-histogram.ts';
import type { RunResult } from './run-load.ts';

/** A latency as reports give it, in ms. */
export type LatencyReport = Omit<LatencySummary, 'mean'>;

/**
 * The JSON report of a run (`--out json=FILE`), schema version 1 (docs/run.md). Names are stable:
 * CI jobs read them.
 */
export interface RunReport {
  readonly schema: 'tickstock-run/1';
  readonly verdict: 'pass' | 'fail';
  readonly started_at: string;
  readonly elapsed_ms: number;
  readonly profile: string;
  readonly clients: number;
  readonly thresholds: readonly {
    readonly name: string;
    readonly expr: string;
    readonly value: number | null;
    readonly ok: boolean;
  }[];
  readonly latency_ms: { readonly publish_to_client: LatencyReport };
  readonly delivery: {
    readonly sent: number;
    readonly received_min: number;
    readonly received_max: number;
    /** Receipts of flows this run did not send (another producer on the same channel). */
    readonly foreign: number;
  };
  /** Flows some client never received within the grace period (the first 1,000). */
  readonly lost: readonly { readonly flow_id: string; readonly clients_received: number }[];
  readonly generator: { readonly lateness_ms_p99: number; readonly lateness_ms_max: number };
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const latencyReport = (l: LatencySummary): LatencyReport => ({
  count: l.count,
  p50: round(l.p50),
  p90: round(l.p90),
  p99: round(l.p99),
  p999: round(l.p999),
  max: round(l.max),
});

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
    },
    lost: r.lost.map((l) => ({ flow_id: l.flowId, clients_received: l.clientsReceived })),
    generator: {
      lateness_ms_p99: round(r.generatorLateness.p99),
      lateness_ms_max: round(r.generatorLateness.max),
    },
  };
}
