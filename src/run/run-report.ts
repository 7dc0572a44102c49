import { latencyReport } from '../contract/latency-report.ts';
import type { RunReport } from '../contract/schemas/run-report.ts';
import type { RunResult } from './run-load.ts';

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

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

function browsersReport(r: RunResult): RunReport['browsers'] {
  const b = r.browsers;
  if (b === null) return null;
  return {
    pages: b.pages,
    url: b.url,
    to_render: b.toRender,
    error_to_page: latencyReport(b.errorToPage),
    per_page: b.perPage.map((p, i) => ({
      shown: b.shownPerPage[i] ?? 0,
      not_shown: b.toRender - (b.shownPerPage[i] ?? 0),
      console_errors: p.consoleErrors,
      page_errors: p.pageErrors,
      problems: [...p.problems],
    })),
  };
}

/** The run as its JSON report (schema in src/contract/schemas/run-report.ts), with the load it was given. */
export function runReport(
  r: RunResult,
  { load, floor = null }: { load: NonNullable<RunReport['load']>; floor?: FloorResult | null },
): RunReport {
  return {
    schema: 'tickstock-run/1',
    verdict: r.verdict,
    started_at: r.startedAt.toISOString(),
    elapsed_ms: Math.round(r.elapsedMs),
    profile: r.profile,
    clients: r.clients,
    load,
    thresholds: r.thresholds.map((t) => ({ ...t, value: t.value === null ? null : round(t.value) })),
    latency_ms: { publish_to_client: latencyReport(r.publishToClient) },
    timeline: r.timeline.map((t) => ({
      second: t.second,
      sent: t.sent,
      delivered: t.delivered,
      receipts: t.receipts,
      p50_ms: t.p50 === null ? null : round(t.p50),
      p99_ms: t.p99 === null ? null : round(t.p99),
    })),
    histogram: {
      publish_to_client: r.publishToClientBuckets.map((b) => ({
        from_ms: b.fromMs,
        to_ms: b.toMs,
        count: b.count,
      })),
    },
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
            not_shown: r.errors.notShown.slice(0, LISTED).map((e) => ({
              error_id: e.errorId,
              severity: e.severity,
              clients_received: e.clientsReceived,
              ...(e.unheard ? { unheard: true } : {}),
            })),
            to_store: r.errors.toStore,
            not_stored: r.errors.notStored.slice(0, LISTED).map((e) => ({
              error_id: e.errorId,
              severity: e.severity,
              ...(e.unheard ? { unheard: true } : {}),
            })),
            unheard: r.errors.unheard.length,
            not_rendered: (r.browsers?.notRendered ?? []).slice(0, LISTED).map((e) => ({
              error_id: e.errorId,
              severity: e.severity,
              pages_missed: [...e.pagesMissed],
            })),
          },
    browsers: browsersReport(r),
    ...(r.faults.length === 0
      ? {}
      : {
          faults: r.faults.map((f) => ({
            label: f.label,
            kind: f.kind,
            spec: f.spec,
            at_ms: f.atMs,
            started_ms: f.startedMs,
            ended_ms: f.endedMs,
            sent: f.sent,
            delivered: f.delivered,
            lost: [...f.lostFlows],
            lost_count: f.lost,
            errors_sent: f.errorsSent,
            errors_lost: [...f.errorsLost],
            errors_unheard: f.errorsUnheard,
            recovery_ms: f.recovery,
            ...(f.failed === undefined ? {} : { failed: f.failed }),
          })),
        }),
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
