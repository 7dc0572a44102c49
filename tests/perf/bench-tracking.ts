/*
 * npm run bench:tracking — what integration tracking really costs (spec 002 against 000/001): the same
 * open-loop load, driven by `tickstock run` against a consumer started here in each mode: nothing
 * recorded, log lines only (to a file, at info), our batched sinks (integration_events, events, both),
 * and a naive consumer that awaits one INSERT per checkpoint. BENCH_REPEAT runs per mode (default 3),
 * medians; the raw floor (bare publisher, relay and clients) beside each rate. Writes
 * reports/bench-tracking.json and the table in docs/tracking-cost.md.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { hopPercentiles, type HopPercentiles } from '../../src/analysis/flow-queries.ts';
import type { RunReport } from '../../src/contract/schemas/run-report.ts';
import { formatMs } from '../../src/shared/latency-histogram.ts';
import { runCli } from '../support/run-cli.ts';
import { median } from './bench-guard.ts';
import { withBenchServices } from './load/bench-services.ts';
import type { ConsumerProcessConfig, ConsumerProcessResult, TrackingMode } from './load/consumer-process.ts';
import { forkTs, nextMessage } from './load/ipc.ts';

const MODES: readonly TrackingMode[] = [
  'off',
  'log-only',
  'integration_events',
  'events',
  'both',
  'naive-inline',
];
const env = process.env;
const rates = (env['BENCH_RATES'] ?? '1000,5000').split(',').map(Number);
const seconds = Number(env['BENCH_SECONDS'] ?? 10);
const repeat = Number(env['BENCH_REPEAT'] ?? 3);
const modes = env['BENCH_MODES'] === undefined ? MODES : (env['BENCH_MODES'].split(',') as TrackingMode[]);
const clients = 10;
const WARMUP_S = 3;

/** One run of one mode at one rate, and what the bench reads beside the run's own report. */
interface TrackingRun {
  readonly rate: number;
  readonly mode: TrackingMode;
  readonly report: RunReport;
  readonly consumer: ConsumerProcessResult;
  /** Flows with all four checkpoints, in whichever table the mode writes; null: it records none. */
  readonly flowsComplete: number | null;
  /** Checkpoint rows written per second of the measured window, the producer's too. */
  readonly rowsPerSecond: number;
  readonly consumerCpuPercent: number;
  readonly hops: readonly HopPercentiles[];
}

interface ModeResult {
  readonly rate: number;
  readonly mode: TrackingMode;
  readonly runs: readonly TrackingRun[];
  readonly p50: number;
  readonly p99: number;
  readonly deliveredMin: number;
  readonly sent: number;
  readonly flowsComplete: number | null;
  readonly rowsPerSecond: number;
  readonly consumerCpuPercent: number;
  readonly generatorLatenessP99: number;
  /** The raw floor at this rate (bare publisher, relay, clients), measured by the `off` runs. */
  readonly floorP99: number | null;
}

const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));

// `--render` rewrites docs/tracking-cost.md from the last report without measuring again.
if (process.argv.includes('--render')) {
  const last = JSON.parse(await readFile('reports/bench-tracking.json', 'utf8')) as {
    setting: string;
    results: ModeResult[];
  };
  await writeFile('docs/tracking-cost.md', renderReport(last.results, last.setting));
  console.log('rewrote docs/tracking-cost.md from reports/bench-tracking.json');
  process.exit(0);
}

/** Modes that write no integration_events rows: the run's profile says so (no flow ledger of rows). */
const UNTRACKED_SCENARIO = `profile: untracked
profiles:
  untracked: { extends: spec, checkpoints: [] }
`;
const untracked = (mode: TrackingMode): boolean => mode === 'off' || mode === 'log-only' || mode === 'events';

/** Where the run's simulator records PATTERN_PUBLISHED: where the consumer records (nowhere when off). */
function producerEnv(mode: TrackingMode): Record<string, string> {
  if (mode === 'off' || mode === 'log-only') return { ENABLE_INTEGRATION_TRACKING: 'false' };
  return { TRACKING_SINK: mode === 'naive-inline' ? 'integration_events' : mode };
}

/** Flows of the measured window (PATTERN_PUBLISHED since its start) that reached WEBSOCKET_DELIVERED. */
async function eventsComplete(db: pg.Pool, since: string): Promise<number> {
  const { rows } = await db.query<{ complete: string }>(
    `SELECT count(DISTINCT d.correlation_id) AS complete
       FROM events d JOIN events p ON p.correlation_id = d.correlation_id
      WHERE d.event_type = 'checkpoint.websocket_delivered'
        AND p.event_type = 'checkpoint.pattern_published' AND p.created_at >= $1`,
    [since],
  );
  return Number(rows[0]?.complete ?? 0);
}

async function rowsSince(db: pg.Pool, since: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM integration_events WHERE timestamp >= $1)
          + (SELECT count(*) FROM events WHERE created_at >= $1) AS n`,
    [since],
  );
  return Number(rows[0]?.n ?? 0);
}

async function trackingRun(
  bench: { redisUrl: string; databaseUrl: string; dir: string; scenario: string },
  rate: number,
  mode: TrackingMode,
  i: number,
): Promise<TrackingRun> {
  const name = `${rate}-${mode}-${i}`;
  const consumerProcess = forkTs(new URL('./load/consumer-process.ts', import.meta.url), {
    redisUrl: bench.redisUrl,
    databaseUrl: bench.databaseUrl,
    tracking: mode,
    logFile: join(bench.dir, `consumer-${name}.log`),
  } satisfies ConsumerProcessConfig);
  try {
    const ready = await nextMessage(consumerProcess, 'ready', 30_000);
    const url = ready.type === 'ready' ? ready.url! : '';
    const path = join(bench.dir, `${name}.json`);
    const args = [
      'run',
      ...(untracked(mode) ? [bench.scenario] : []),
      ...['--socketio-url', url, '--redis-url', bench.redisUrl, '--database-url', bench.databaseUrl],
      ...['--rate', String(rate), '--duration', String(seconds), '--clients', String(clients)],
      ...['--warmup', String(WARMUP_S), '--seed', '7', '--out', `json=${path}`],
      // The floor once per rate and round: it is the same hop for every mode.
      ...(mode === 'off' ? ['--floor'] : []),
    ];
    const run = runCli(args, producerEnv(mode));
    const code = await run.exited;
    if (code !== 0 && code !== 99)
      throw new Error(`tickstock ${args.join(' ')} exited ${code}:\n${run.output()}`);
    consumerProcess.send({ type: 'stop' });
    const done = await nextMessage<ConsumerProcessResult>(consumerProcess, 'result', 60_000);
    if (done.type !== 'result') throw new Error('no result from the consumer process');
    const report = JSON.parse(await readFile(path, 'utf8')) as RunReport;
    const db = new pg.Pool({ connectionString: bench.databaseUrl, max: 2 });
    try {
      const [rows, hops, inEvents] = await Promise.all([
        rowsSince(db, report.started_at),
        hopPercentiles(db, new Date(report.started_at)),
        mode === 'events' ? eventsComplete(db, report.started_at) : Promise.resolve(null),
      ]);
      const ledger = report.checkpoints;
      return {
        rate,
        mode,
        report,
        consumer: done.result,
        flowsComplete: ledger?.recorded === true ? ledger.complete : inEvents,
        rowsPerSecond: rows / seconds,
        // Over the warm-up and the run: the consumer cannot tell them apart.
        consumerCpuPercent: (done.result.cpuMs / 1000 / (WARMUP_S + seconds)) * 100,
        hops,
      };
    } finally {
      await db.end();
    }
  } finally {
    if (consumerProcess.exitCode === null) consumerProcess.kill('SIGKILL');
  }
}

const runLine = (r: TrackingRun): string => {
  const p = r.report.latency_ms.publish_to_client;
  const floor =
    r.report.floor === null ? '' : ` | floor p99 ${formatMs(r.report.floor.publish_to_client.p99)}`;
  const flows = r.flowsComplete === null ? 'flows not recorded' : `flows complete ${r.flowsComplete}`;
  return `  ${r.mode.padEnd(18)} p50 ${formatMs(p.p50)} p99 ${formatMs(p.p99)} max ${formatMs(p.max)} · delivered ${r.report.delivery.received_min}/${r.report.delivery.sent}, ${flows} · ${Math.round(r.rowsPerSecond)} rows/s · consumer CPU ${r.consumerCpuPercent.toFixed(0)} % · simulator late p99 ${formatMs(r.report.generator.lateness_ms_p99)}${floor}`;
};

function medianOf(runs: readonly TrackingRun[], floorP99: number | null): ModeResult {
  const of = (pick: (r: TrackingRun) => number) => median(runs.map(pick));
  const first = runs[0]!;
  return {
    rate: first.rate,
    mode: first.mode,
    runs,
    p50: of((r) => r.report.latency_ms.publish_to_client.p50),
    p99: of((r) => r.report.latency_ms.publish_to_client.p99),
    deliveredMin: Math.min(...runs.map((r) => r.report.delivery.received_min)),
    sent: of((r) => r.report.delivery.sent),
    flowsComplete: first.flowsComplete === null ? null : Math.min(...runs.map((r) => r.flowsComplete!)),
    rowsPerSecond: of((r) => r.rowsPerSecond),
    consumerCpuPercent: of((r) => r.consumerCpuPercent),
    generatorLatenessP99: of((r) => r.report.generator.lateness_ms_p99),
    floorP99,
  };
}

const results: ModeResult[] = [];
await withBenchServices('tracking', async ({ services, setting, freshDatabase, registry }) => {
  const scenario = join(registry.dir, 'untracked.yaml');
  await writeFile(scenario, UNTRACKED_SCENARIO);
  console.log(
    `bench:tracking — ${setting}; ${repeat} runs per mode, ${seconds} s each after a ${WARMUP_S} s warm-up`,
  );
  for (const rate of rates) {
    console.log(`\n${rate} events/s for ${seconds} s, ${clients} Socket.IO clients`);
    // Rounds of every mode, so that each mode sees the machine as the others did.
    const byMode = new Map<TrackingMode, TrackingRun[]>(modes.map((m) => [m, []]));
    for (let i = 1; i <= repeat; i++)
      for (const mode of modes) {
        const bench = {
          redisUrl: services.redis.url,
          databaseUrl: await freshDatabase(),
          dir: registry.dir,
          scenario,
        };
        const run = await trackingRun(bench, rate, mode, i);
        byMode.get(mode)!.push(run);
        console.log(runLine(run));
      }
    const floors = byMode
      .get('off')
      ?.flatMap((r) => (r.report.floor === null ? [] : [r.report.floor.publish_to_client.p99]));
    const floorP99 = floors === undefined || floors.length === 0 ? null : median(floors);
    for (const mode of modes) {
      const m = medianOf(byMode.get(mode)!, floorP99);
      results.push(m);
      console.log(
        `  median ${mode.padEnd(11)} p50 ${formatMs(m.p50)} p99 ${formatMs(m.p99)} · delivered ${m.deliveredMin}/${m.sent} · simulator late p99 ${formatMs(m.generatorLatenessP99)}${floorP99 === null ? '' : ` | floor p99 ${formatMs(floorP99)}`}`,
      );
    }
  }
  await mkdir('reports', { recursive: true });
  await writeFile(
    'reports/bench-tracking.json',
    `${JSON.stringify({ bench: 'tracking', setting, seconds, repeat, clients, results }, null, 2)}\n`,
  );
  await writeFile('docs/tracking-cost.md', renderReport(results, setting));
  console.log('\nreport: reports/bench-tracking.json, table: docs/tracking-cost.md');
});

function conclusion(all: readonly ModeResult[]): string {
  const at = (rate: number, mode: TrackingMode) => all.find((r) => r.rate === rate && r.mode === mode);
  const rates = [...new Set(all.map((r) => r.rate))];
  const top = Math.max(...rates);
  const ours = at(top, 'integration_events')?.runs[0];
  const hop = (name: string) => ours?.hops.find((h) => h.hop === name)?.p99 ?? 0;
  const p50s = rates.flatMap((rate) => {
    const [a, b] = [at(rate, 'integration_events'), at(rate, 'off')];
    return a && b ? [`${ms(a.p50 - b.p50)} ms at ${rate.toLocaleString('en-US')}/s`] : [];
  });
  return [
    "Where spec 002's 5–10 ms comes from: writing checkpoints inline, one committed row at a time, on the delivery",
    'path. The naive design pays it in the tail already at the lowest rate and cannot keep up at the highest.',
    `Kept off the delivery path and batched, tracking adds ${p50s.join(' and ')} at the median. The consumer's own`,
    `hops with tracking on, from its checkpoints: received→parsed p99 ${ms(hop('received→parsed'))} ms, parsed→delivered p99`,
    `${ms(hop('parsed→delivered'))} ms at ${top.toLocaleString('en-US')}/s (one run); what tracking adds to the tail at high rates comes from`,
    "sharing this machine's two cores with PostgreSQL writing every row durably, and from the producer recording each",
    "batch before it publishes (spec 001's order), which shows as the simulator's lateness. So spec 002's saving holds",
    'for the naive design, not for this one: the harness keeps tracking on by default, where every flow stays',
    'checkable, and offers the switch (`ENABLE_INTEGRATION_TRACKING=false`, `TRACKING_SINK`, `tickstock db',
    'drop-tracking`) for deployments where the last milliseconds of the tail matter more.',
  ].join('\n');
}

function renderReport(all: readonly ModeResult[], setting: string): string {
  const runsOf = all[0]?.runs.length ?? 0;
  const rows = all.map((r) => {
    const base = all.find((b) => b.rate === r.rate && b.mode === 'off');
    const delta = base === undefined ? '—' : `${ms(r.p50 - base.p50)} / ${ms(r.p99 - base.p99)}`;
    return `| ${r.rate.toLocaleString('en-US')}/s | ${r.mode} | ${ms(r.p50)} | ${ms(r.p99)} | ${delta} | ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} | ${r.consumerCpuPercent.toFixed(0)} % | ${ms(r.generatorLatenessP99)} | ${r.floorP99 === null ? '—' : ms(r.floorP99)} | ${r.deliveredMin.toLocaleString('en-US')} / ${r.sent.toLocaleString('en-US')} | ${r.flowsComplete === null ? '—' : r.flowsComplete.toLocaleString('en-US')} |`;
  });
  const at = (rate: number, mode: TrackingMode) => all.find((r) => r.rate === rate && r.mode === mode);
  const verdicts = [...new Set(all.map((r) => r.rate))].flatMap((rate) => {
    const [off, ours, naive] = [at(rate, 'off'), at(rate, 'integration_events'), at(rate, 'naive-inline')];
    if (!off || !ours || !naive) return [];
    const d = (r: ModeResult, k: 'p50' | 'p99') => ms(r[k] - off[k]);
    return [
      `- At ${rate.toLocaleString('en-US')} events/s, recording every checkpoint our way (integration_events) adds ${d(ours, 'p50')} ms at p50 and ${d(ours, 'p99')} ms at p99 to publish→browser; the naive inline design adds ${d(naive, 'p50')} ms at p50 and ${d(naive, 'p99')} ms at p99${naive.deliveredMin < naive.sent ? `, and only ${naive.deliveredMin.toLocaleString('en-US')} of ${naive.sent.toLocaleString('en-US')} events reached every browser within the run` : ''}.`,
    ];
  });
  const saturated = all.filter((r) => r.mode === 'off' && r.floorP99 !== null && r.floorP99 >= 100);
  const limits = saturated.map(
    (r) =>
      `At ${r.rate.toLocaleString('en-US')}/s this machine's own floor, the same hop with no code of ours, had p99 ${ms(r.floorP99!)} ms: the machine is at its limit there, so figures at that rate say more about the machine than about tracking.`,
  );
  return `# What integration tracking costs

Generated by \`npm run bench:tracking\` (${setting}), medians of ${runsOf} runs per mode, taken in rounds of
every mode. Each run is \`tickstock run --socketio-url … --database-url … --warmup ${WARMUP_S} --duration ${seconds}\`
against a consumer started in that mode in its own process; the run's simulator records PATTERN_PUBLISHED where the
consumer records its checkpoints (nothing for \`off\` and \`log-only\`); publish→browser is measured in ${clients}
Socket.IO clients, timed from each event's intended send time. Δ is against \`off\` at the same rate (p50 / p99).
Rows/s counts every checkpoint row written in the measured window, the producer's included; consumer CPU is over
the warm-up and the run. The floor is the same hop with no code of ours (bare publisher, relay and clients), measured
after each \`off\` run; "simulator late" is the generator's own lateness. "Delivered" is the fewest events any one
browser received in any run.

| rate | mode | p50 ms | p99 ms | Δ p50 / p99 ms | rows/s | consumer CPU | simulator late p99 ms | floor p99 ms | delivered / sent | flows complete |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Modes: \`off\` records nothing; \`log-only\` is \`ENABLE_INTEGRATION_TRACKING=false\` (spec 002 Phase 4 log lines,
written at info to a file); \`integration_events\`, \`events\` and \`both\` are \`TRACKING_SINK\` with our batched,
asynchronous sinks; \`naive-inline\` awaits one \`log_integration_event()\` per checkpoint before going on, as the
original TickStockAppV2 did.
${limits.length === 0 ? '' : `\n${limits.join('\n')}\n`}
## Verdict on spec 002

Spec 002 says removing integration logging saves 5–10 ms per event.

${verdicts.join('\n')}

${conclusion(all)}
`;
}
