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

/** The floor's own run: the same clients through the bare relay. */
export interface FloorResult {
  readonly rate: number;
  readonly seconds: number;
  readonly result: RunResult;
}

const LISTED = 1000;

function checkpointsReport(r: RunResult): RunReport['checkpoints'] {
  const c = r.checkpoints;
  if (c === null) return null;
  if (c === 'none-recorded')
    return {
      recorded: false,
      reason: `this consumer records no checkpoints (profile ${r.profile}): flows are judged by delivery alone`,
    };
  return {
    recorded: true,
    chain: [...c.chain],
    complete: c.complete,
    incomplete_count: c.incomplete.size,
    hops: c.hops.map((h) => ({ from: h.from, to: h.to, latency_ms: latencyReport(h.latency) })),
    incomplete: [...c.incomplete]
      .slice(0, LISTED)
      .map(([flow_id, last_checkpoint]) => ({ flow_id, last_checkpoint })),
  };
}

/** The run as its JSON report (schema in src/contract/schemas/run-report.ts). */
export function runReport(r: RunResult, floor: FloorResult | null = null): RunReport {
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
    lost: r.lost.map((l) => ({
      flow_id: l.flowId,
      clients_received: l.clientsReceived,
      ...(l.lastCheckpoint === undefined ? {} : { last_checkpoint: l.lastCheckpoint }),
    })),
    checkpoints: checkpointsReport(r),
    errors:
      r.errors === null
        ? null
        : {
            sent: r.errors.sent,
            generator_lateness_ms_p99: r.errors.lateness === null ? null : round(r.errors.lateness.p99),
            to_show: r.errors.toShow,
            error_to_client: latencyReport(r.errors.errorToClient),
            not_shown: r.errors.notShown.map((e) => ({
              error_id: e.errorId,
              severity: e.severity,
              clients_received: e.clientsReceived,
            })),
            to_store: r.errors.toStore,
            not_stored: r.errors.notStored.map((e) => ({ error_id: e.errorId, severity: e.severity })),
          },
    floor:
      floor === null
        ? null
        : {
            rate: floor.rate,
            seconds: floor.seconds,
            publish_to_client: latencyReport(floor.result.publishToClient),
            generator_lateness_ms_p99: round(floor.result.generatorLateness.p99),
          },
    generator: {
      lateness_ms_p99: round(r.generatorLateness.p99),
      lateness_ms_max: round(r.generatorLateness.max),
      malformed_sent: r.otherSent.malformed,
      aux_sent: r.otherSent.aux,
      errors_sent: r.otherSent.errors,
    },
  };
}
