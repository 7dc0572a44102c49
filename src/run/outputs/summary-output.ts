import { formatMs } from '../../shared/latency-histogram.ts';
import type { RunReport } from '../run-report.ts';
import { baselineLines } from './baseline-text.ts';
import type { RunOutput } from './run-output.ts';

const LOST_SHOWN = 10;

const ERRORS_SHOWN = 5;

/** The mix's errors: timed to the clients, and what was never shown or stored. */
function errorLines(r: RunReport): string[] {
  const e = r.errors;
  if (e === null) return [];
  const l = e.error_to_client;
  return [
    `  errors               ${e.sent} sent; ${e.to_show === null ? `shown: not checked (profile ${r.profile} pushes no errors to clients)` : `${e.to_show - e.not_shown.length} of ${e.to_show} shown to every client`}; ${e.to_store === null ? 'stored: not checked (no PostgreSQL, or the profile names no error store)' : `${e.to_store - e.not_stored.length} of ${e.to_store} stored`}`,
    ...(e.to_show === null || l.count === 0
      ? []
      : [
          `  error→client         p50 ${formatMs(l.p50)}  p99 ${formatMs(l.p99)}  max ${formatMs(l.max)}  (${l.count} receipts; error generator late p99 ${e.generator_lateness_ms_p99 === null ? '–' : formatMs(e.generator_lateness_ms_p99)})`,
        ]),
    ...e.not_shown
      .slice(0, ERRORS_SHOWN)
      .map((x) => `  not shown ${x.error_id} (${x.severity}): ${x.clients_received} of ${r.clients} clients`),
    ...e.not_stored.slice(0, ERRORS_SHOWN).map((x) => `  not stored ${x.error_id} (${x.severity})`),
    ...((e.unheard ?? 0) === 0
      ? []
      : [
          `  ${e.unheard} errors reached no subscriber when published: lost to pub-sub (at most once), not by the consumer`,
        ]),
  ];
}

/** The pages of the consumer's UI: errors rendered on each, error→page, what was missed, what the pages threw. */
function browserLines(r: RunReport): string[] {
  const b = r.browsers;
  if (b == null) return [];
  const l = b.error_to_page;
  const problems = b.per_page.reduce((n, p) => n + p.console_errors + p.page_errors, 0);
  const shown = new Set(b.per_page.map((p) => p.shown));
  const rendered =
    shown.size === 1
      ? `${[...shown][0]} of ${b.to_render} errors on each page`
      : `${b.per_page.map((p) => p.shown).join(', ')} of ${b.to_render} errors`;
  return [
    `  browsers             ${b.pages} pages of ${b.url}: rendered ${rendered}; ${problems === 0 ? 'no console errors' : `${problems} console errors or exceptions`}`,
    ...(l.count === 0
      ? []
      : [
          `  error→page           p50 ${formatMs(l.p50)}  p99 ${formatMs(l.p99)}  max ${formatMs(l.max)}  (${l.count} renders, from the intended send time)`,
        ]),
    ...(r.errors?.not_rendered ?? [])
      .slice(0, ERRORS_SHOWN)
      .map(
        (x) => `  not rendered ${x.error_id} (${x.severity}): missed by page ${x.pages_missed.join(', ')}`,
      ),
    ...b.per_page.flatMap((p, i) => p.problems.slice(0, ERRORS_SHOWN).map((text) => `  page ${i}: ${text}`)),
  ];
}

const FAULT_LOST_SHOWN = 5;

/** Each fault: when it held, what was sent in its window and lost, and how long until flows came again. */
function faultLines(r: RunReport): string[] {
  const s = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(2)} s`);
  return (r.faults ?? []).flatMap((f) => [
    `  fault ${f.label.padEnd(14)} ${f.started_ms === null ? 'not run: the load ended first' : `${f.spec}: ${s(f.started_ms)}–${s(f.ended_ms)}; sent ${f.sent}, delivered ${f.delivered}, lost ${f.lost_count}; errors lost ${f.errors_lost.length} of ${f.errors_sent}${f.errors_unheard ? ` (${f.errors_unheard} to no subscriber)` : ''}; recovery ${f.recovery_ms === null ? 'none (no flow sent after it arrived)' : formatMs(f.recovery_ms)}`}`,
    ...(f.failed === undefined ? [] : [`    could not be injected: ${f.failed}`]),
    ...(f.lost.length === 0
      ? []
      : [
          `    lost ${f.lost.slice(0, FAULT_LOST_SHOWN).join(', ')}${f.lost_count > FAULT_LOST_SHOWN ? ` … (+${f.lost_count - FAULT_LOST_SHOWN})` : ''}`,
        ]),
    ...(f.errors_lost.length === 0
      ? []
      : [`    errors lost ${f.errors_lost.slice(0, FAULT_LOST_SHOWN).join(', ')}`]),
  ]);
}

function checkpointLines(r: RunReport): string[] {
  const c = r.checkpoints;
  if (c === null) return ['  checkpoints          not read (no PostgreSQL: --no-db, or tracking off)'];
  if (!c.recorded) return [`  checkpoints          ${c.reason}`];
  return [
    `  flows complete       ${c.complete} of ${r.delivery.sent} with ${c.chain.join(' → ')}${c.incomplete_count > 0 ? ` (${c.incomplete_count} incomplete)` : ''}`,
    ...c.hops.map(
      (h) =>
        `    ${`${h.from} → ${h.to}`.padEnd(44)} p50 ${formatMs(h.latency_ms.p50)}  p99 ${formatMs(h.latency_ms.p99)}  max ${formatMs(h.latency_ms.max)}`,
    ),
  ];
}

/**
 * The end summary a person reads: figures, then each threshold with ✓ or ✗, the comparison with a baseline,
 * then what was lost.
 */
export function summaryLines(r: RunReport): string[] {
  const p = r.latency_ms.publish_to_client;
  const lines = [
    `run (${r.profile}, ${r.clients} clients, ${(r.elapsed_ms / 1000).toFixed(1)} s): ${r.verdict === 'pass' ? 'PASS' : 'FAIL'}`,
    `  sent                 ${r.delivery.sent} pattern events; every client received ${r.delivery.received_min}–${r.delivery.received_max}${r.delivery.foreign > 0 ? ` (+${r.delivery.foreign} from another producer, not judged)` : ''}`,
    `  publish→client       p50 ${formatMs(p.p50)}  p90 ${formatMs(p.p90)}  p99 ${formatMs(p.p99)}  p99.9 ${formatMs(p.p999)}  max ${formatMs(p.max)}  (${p.count} receipts)`,
    ...(r.floor === null
      ? []
      : [
          `  floor (bare relay)   p50 ${formatMs(r.floor.publish_to_client.p50)}  p90 ${formatMs(r.floor.publish_to_client.p90)}  p99 ${formatMs(r.floor.publish_to_client.p99)}  p99.9 ${formatMs(r.floor.publish_to_client.p999)}  max ${formatMs(r.floor.publish_to_client.max)}  (${r.floor.rate}/s for ${r.floor.seconds} s: this machine and these clients without the consumer under test; its generator late p99 ${formatMs(r.floor.generator_lateness_ms_p99)})`,
        ]),
    `  generator lateness   p99 ${formatMs(r.generator.lateness_ms_p99)}  max ${formatMs(r.generator.lateness_ms_max)}  (the load tool's own; latency is timed from the intended send time)`,
    ...(r.generator.malformed_sent + r.generator.aux_sent + r.generator.errors_sent === 0
      ? []
      : [
          `  also sent            ${r.generator.malformed_sent} malformed pattern messages (to be rejected), ${r.generator.aux_sent} backtest/health, ${r.generator.errors_sent} errors`,
        ]),
    ...(r.warmup === null
      ? []
      : [
          `  warm-up              ${r.warmup.seconds} s, ${r.warmup.sent} events before the measured window: p99 ${formatMs(r.warmup.publish_to_client.p99)}, max ${formatMs(r.warmup.publish_to_client.max)} (not judged)`,
        ]),
    `  lost                 ${r.lost.length === 0 ? 'none' : `${r.lost.length} flows`}`,
    ...checkpointLines(r),
    ...errorLines(r),
    ...browserLines(r),
    ...faultLines(r),
    ...(r.delivery.unreadable > 0
      ? [
          `  unreadable           ${r.delivery.unreadable} payloads had no flow id or publish time where profile ${r.profile} looks: is --profile right for this consumer?`,
        ]
      : []),
    ...r.thresholds.map(
      (t) =>
        `  ${t.ok ? '✓' : '✗'} ${t.expr.padEnd(36)} ${t.value === null ? 'not measured' : `measured ${t.value}`}`,
    ),
    ...baselineLines(r),
    ...r.lost
      .slice(0, LOST_SHOWN)
      .map(
        (l) =>
          `  lost ${l.flow_id}: received by ${l.clients_received} of ${r.clients} clients${l.last_checkpoint === undefined ? '' : l.last_checkpoint === null ? '; no checkpoint at all' : `; stopped after ${l.last_checkpoint}`}`,
      ),
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
