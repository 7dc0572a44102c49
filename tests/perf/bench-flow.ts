/*
 * npm run bench:flow — the pattern flow measured the way a user measures it: `tickstock run --start
 * reference --floor` and `tickstock sim`, run as commands, each case BENCH_REPEAT times (default 3),
 * medians printed beside this machine's floor and the generator's own lateness:
 *   flow      1,000 events/s, 10 Socket.IO clients, every checkpoint read back,
 *             and what our measuring adds: after each run, the raw floor (bare publisher, bare relay,
 *             bare clients: no harness code at all) against the floor as `run` measured it
 *   clients   1,000 Socket.IO clients over 2 worker processes
 *   generator one simulator process at 20,000 events/s into a subscriber that keeps up
 *   browsers  1,000 events/s, 10 clients: without a dashboard, with 50 dashboards' Socket.IO connections
 *             on /monitoring in a process of their own at nice 19 (what the consumer serves them), and with
 *             50 headless Chromium pages at nice 19 (their rendering too, on these same 2 cores), in
 *             triples: what the dashboard costs the p99
 *   group     1,000 events/s to 100 clients over 2 workers, one reference consumer against a group of two
 *             (CONSUMER_SHARD, run --consumers 2), in pairs: what a second consumer process buys here
 *   ladder    one run per rate: the highest rate with p99 < 100 ms and every checkpoint recorded
 * PostgreSQL durable (fsync on) unless HARNESS_POSTGRES_DURABLE=false. Writes reports/bench-flow.json.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { CHANNELS } from '../../src/contract/channels.ts';
import type { RunReport } from '../../src/contract/schemas/run-report.ts';
import type { SimReport } from '../../src/contract/schemas/sim-report.ts';
import { formatMs } from '../../src/shared/latency-histogram.ts';
import { runCli } from '../support/run-cli.ts';
import { withBenchServices } from './load/bench-services.ts';
import { guardBench, median, type BenchFigure } from './bench-guard.ts';
import type { BarePublisherConfig, BarePublisherResult } from './load/bare-publisher-process.ts';
import type { DashboardSocketsConfig, DashboardSocketsResult } from './load/dashboard-sockets-process.ts';
import { forkTs, nextMessage } from './load/ipc.ts';
import { FLOOR_CHANNEL, measureFloor, type MachineFloor } from './load/machine-floor.ts';

const P99_BUDGET_MS = 100;
const env = process.env;
const repeat = Number(env['BENCH_REPEAT'] ?? 3);
const seconds = Number(env['BENCH_SECONDS'] ?? 10);
const cases = new Set((env['BENCH_CASES'] ?? 'flow,clients,browsers,generator,group,ladder').split(','));
const DASHBOARD_PAGES = 50;
// BENCH_PAGES=false leaves out the Chromium pages (the slowest third of the browsers case).
const withChromiumPages = env['BENCH_PAGES'] !== 'false';
const ladder = (env['BENCH_RATES'] ?? '2000,3000,5000,7000,10000').split(',').map(Number);
const durable = { HARNESS_POSTGRES_DURABLE: env['HARNESS_POSTGRES_DURABLE'] ?? 'true' };

const load = (): string => loadavg()[0]!.toFixed(2);

/** Runs `tickstock …args` to its end; the output is shown when it fails unexpectedly. */
async function tickstock(args: readonly string[], okCodes: readonly number[] = [0, 99]): Promise<void> {
  const run = runCli(args, durable);
  const code = await run.exited;
  if (code === null || !okCodes.includes(code))
    throw new Error(`tickstock ${args.join(' ')} exited ${String(code)}:\n${run.output()}`);
}

const STARTED = /tickstock run: .* to (http:\/\/127\.0\.0\.1:\d+)/;

/**
 * One `tickstock run --start reference --floor`; its JSON report. `alongside` starts once the run names
 * its consumer (before the warm-up) and is stopped when the run ends.
 */
type Alongside = (consumerUrl: string) => Promise<() => Promise<void>>;

async function referenceRun(
  dir: string,
  name: string,
  flags: readonly string[],
  alongside?: Alongside,
): Promise<RunReport> {
  const path = join(dir, `${name}.json`);
  const common = ['--start', 'reference', '--floor', '--warmup', '3', '--duration', String(seconds)];
  const args = ['run', ...common, ...flags, '--seed', '1', '--out', `json=${path}`];
  if (alongside === undefined) await tickstock(args);
  else {
    const run = runCli(args, durable);
    await run.waitFor(STARTED, 120_000);
    const stop = await alongside(STARTED.exec(run.output())![1]!);
    const code = await run.exited;
    await stop();
    if (code !== 0 && code !== 99)
      throw new Error(`tickstock ${args.join(' ')} exited ${code}:\n${run.output()}`);
  }
  return JSON.parse(await readFile(path, 'utf8')) as RunReport;
}

/** `n` dashboards' sockets (load/dashboard-sockets-process.ts); the stop says what they were sent. */
function monitoringSockets(n: number, sent: DashboardSocketsResult[]): Alongside {
  return async (consumerUrl) => {
    const child = forkTs(new URL('./load/dashboard-sockets-process.ts', import.meta.url), {
      consumerUrl,
      sockets: n,
    } satisfies DashboardSocketsConfig);
    await nextMessage(child, 'ready', 30_000);
    return async () => {
      child.send({ type: 'stop' });
      const done = await nextMessage<DashboardSocketsResult>(child, 'result', 30_000);
      sent.push((done as { result: DashboardSocketsResult }).result);
    };
  };
}

const runLine = (r: RunReport): string => {
  const p = r.latency_ms.publish_to_client;
  const f = r.floor!;
  const flows = r.checkpoints?.recorded
    ? ` · flows complete ${r.checkpoints.complete}/${r.delivery.sent}`
    : '';
  return `  p50 ${formatMs(p.p50)} p99 ${formatMs(p.p99)} p99.9 ${formatMs(p.p999)} max ${formatMs(p.max)} · delivery ${r.delivery.received_min}/${r.delivery.sent}${flows} · simulator late p99 ${formatMs(r.generator.lateness_ms_p99)} | floor p99 ${formatMs(f.publish_to_client.p99)}, its publisher late p99 ${formatMs(f.generator_lateness_ms_p99)} · load ${load()}`;
};

/** The medians a case is judged by. */
function medians(runs: readonly RunReport[]) {
  const of = (pick: (r: RunReport) => number) => median(runs.map(pick));
  return {
    runs: runs.length,
    p50: of((r) => r.latency_ms.publish_to_client.p50),
    p99: of((r) => r.latency_ms.publish_to_client.p99),
    p999: of((r) => r.latency_ms.publish_to_client.p999),
    delivery: of((r) => r.delivery.received_min / Math.max(r.delivery.sent, 1)),
    generatorLatenessP99: of((r) => r.generator.lateness_ms_p99),
    floorP99: of((r) => r.floor!.publish_to_client.p99),
    floorGeneratorLatenessP99: of((r) => r.floor!.generator_lateness_ms_p99),
  };
}
type Medians = ReturnType<typeof medians>;

const medianLine = (m: Medians): string =>
  `  median of ${m.runs}: p50 ${formatMs(m.p50)} p99 ${formatMs(m.p99)} p99.9 ${formatMs(m.p999)} · delivery ${(m.delivery * 100).toFixed(2)} % · simulator late p99 ${formatMs(m.generatorLatenessP99)} | floor p99 ${formatMs(m.floorP99)}, its publisher late p99 ${formatMs(m.floorGeneratorLatenessP99)}`;

/** Each case's runs; `after` runs after each one (the raw floor, interleaved so both see the same machine). */
async function repeated(dir: string, name: string, flags: readonly string[], after?: () => Promise<void>) {
  const runs: RunReport[] = [];
  for (let i = 1; i <= repeat; i++) {
    runs.push(await referenceRun(dir, `${name}-${i}`, flags));
    console.log(runLine(runs.at(-1)!));
    await after?.();
  }
  const m = medians(runs);
  console.log(medianLine(m));
  return { flags, medians: m, runs };
}

/** A cold process is late for its first second (code not yet optimised, the heap growing): both warm up. */
const GENERATOR_WARMUP_S = 1;

/** `tickstock sim --no-db` into one bare subscriber that counts what arrives: nothing may be lost. */
async function generatorRun(dir: string, redisUrl: string, rate: number, i: number) {
  const sub = new Redis(redisUrl);
  const received = { sim: 0, floor: 0 };
  sub.on('message', (channel: string) =>
    channel === FLOOR_CHANNEL ? (received.floor += 1) : (received.sim += 1),
  );
  await sub.subscribe(CHANNELS.patterns, FLOOR_CHANNEL);
  const path = join(dir, `generator-${i}.json`);
  let floor: BarePublisherResult;
  try {
    const args = ['sim', '--no-db', '--redis-url', redisUrl, '--seed', '1'];
    await tickstock(
      [...args, '--rate', String(rate), '--duration', String(seconds), '--out', `json=${path}`],
      [0],
    );
    // The same load from a bare publisher in its own process, into the same subscriber: this machine's floor.
    const child = forkTs(new URL('./load/bare-publisher-process.ts', import.meta.url), {
      redisUrl,
      rate,
      durationMs: seconds * 1000,
      warmupMs: GENERATOR_WARMUP_S * 1000,
    } satisfies BarePublisherConfig);
    const done = await nextMessage<BarePublisherResult>(child, 'result', seconds * 1000 + 30_000);
    floor = (done as { result: BarePublisherResult }).result;
  } finally {
    sub.disconnect();
  }
  const report = JSON.parse(await readFile(path, 'utf8')) as SimReport;
  const l = report.lateness_ms;
  console.log(
    `  sent ${report.sent} (${report.rate_achieved}/s), received ${received.sim} of ${report.sent + (report.warmup?.sent ?? 0)} with the warm-up's · lateness p50 ${formatMs(l.p50)} p99 ${formatMs(l.p99)} p99.9 ${formatMs(l.p999)} max ${formatMs(l.max)} | bare publisher (no harness code) late p99 ${formatMs(floor.lateness.p99)}, received ${received.floor} of ${floor.sent + floor.warmupSent} · load ${load()}`,
  );
  return { report, received: received.sim, floor };
}

const floorLine = (f: MachineFloor): string =>
  `  raw floor p50 ${formatMs(f.publishToClient.p50)} p99 ${formatMs(f.publishToClient.p99)} p99.9 ${formatMs(f.publishToClient.p999)} · bare publisher late p99 ${formatMs(f.publisherLateness.p99)} · 1 ms timer late p99 ${formatMs(f.timerLateness.p99)} · fsync p99 ${formatMs(f.fsync.p99)} · load ${load()}`;

const setting = `${cpus().length} cores, Node ${process.version}, PostgreSQL ${durable.HARNESS_POSTGRES_DURABLE === 'false' ? 'test speed (fsync off)' : 'durable (fsync on)'}`;
console.log(
  `bench:flow — ${setting}; ${repeat} runs per case, ${seconds} s each; load average ${load()} at the start`,
);
const dir = join('reports', 'bench-flow');
await mkdir(dir, { recursive: true });
/** What the regression guard compares, every run's value (bench/flow.json). */
const figures: Record<string, BenchFigure> = {};
const ms = (runs: readonly number[]): BenchFigure => ({ runs, unit: 'ms' });
const latencyFigures = (name: string, runs: readonly RunReport[]): void => {
  const p = (pick: (l: RunReport['latency_ms']['publish_to_client']) => number) =>
    ms(runs.map((r) => pick(r.latency_ms.publish_to_client)));
  figures[`${name}.p50`] = p((l) => l.p50);
  figures[`${name}.p99`] = p((l) => l.p99);
  figures[`${name}.simulator_late_p99`] = ms(runs.map((r) => r.generator.lateness_ms_p99));
  figures[`${name}.floor_p99`] = ms(runs.map((r) => r.floor!.publish_to_client.p99));
};
const report: Record<string, unknown> = {
  bench: 'pattern-flow',
  setting,
  seconds,
  repeat,
  loadAtStart: load(),
};

await withBenchServices('bench', async ({ services, registry }) => {
  if (cases.has('flow')) {
    console.log(
      `\nflow: 1,000 events/s, 10 clients, ${seconds} s after a 3 s warm-up; after each run, the raw floor at that load (bare publisher, bare relay, bare clients: no harness code)`,
    );
    const floors: MachineFloor[] = [];
    const rawFloor = async (): Promise<void> => {
      const floor = await measureFloor({
        ...{ redisUrl: services.redis.url, rate: 1000, durationMs: seconds * 1000 },
        ...{ clients: 10, dir: registry.dir },
      });
      floors.push(floor);
      console.log(floorLine(floor));
    };
    const flow = await repeated(dir, 'flow', ['--rate', '1000', '--clients', '10'], rawFloor);
    const raw = median(floors.map((f) => f.publishToClient.p99));
    const cost = median(
      flow.runs.map((r, i) => r.floor!.publish_to_client.p99 - floors[i]!.publishToClient.p99),
    );
    console.log(
      `  measuring cost: the floor's p99 as run measures it minus the raw floor's, run by run, median ${formatMs(cost)} (medians ${formatMs(flow.medians.floorP99)} and ${formatMs(raw)})`,
    );
    report['flow'] = { ...flow, rawFloors: floors, rawFloorP99: raw, measuringCostP99: cost };
    latencyFigures('flow', flow.runs);
    figures['flow.p999'] = ms(flow.runs.map((r) => r.latency_ms.publish_to_client.p999));
    figures['flow.raw_floor_p99'] = ms(floors.map((f) => f.publishToClient.p99));
  }
  if (cases.has('clients')) {
    // The fan-out of the flow case (10,000 deliveries/s), which these 2 cores keep up with, then ten times it.
    console.log('\nclients: 1,000 Socket.IO clients over 2 workers, 10 events/s (10,000 deliveries/s)');
    const at10 = await repeated(dir, 'clients-10', ['--rate', '10', '--clients', '1000', '--workers', '2']);
    report['clients10'] = at10;
    latencyFigures('clients_10', at10.runs);
    console.log('\nclients: 1,000 Socket.IO clients over 2 workers, 100 events/s (100,000 deliveries/s)');
    const clients = await repeated(dir, 'clients', ['--rate', '100', '--clients', '1000', '--workers', '2']);
    report['clients'] = clients;
    latencyFigures('clients', clients.runs);
  }
  if (cases.has('browsers')) {
    console.log(
      `\nbrowsers: 1,000 events/s, 10 clients, without and with ${DASHBOARD_PAGES} dashboard pages open, in pairs`,
    );
    const without: RunReport[] = [];
    const withSockets: RunReport[] = [];
    const withPages: RunReport[] = [];
    const socketsSent: DashboardSocketsResult[] = [];
    const flags = ['--rate', '1000', '--clients', '10'];
    for (let i = 1; i <= repeat; i++) {
      without.push(await referenceRun(dir, `browsers-none-${i}`, flags));
      console.log(`  no dashboard:          ${runLine(without.at(-1)!)}`);
      const sockets = monitoringSockets(DASHBOARD_PAGES, socketsSent);
      withSockets.push(await referenceRun(dir, `browsers-sockets-${i}`, flags, sockets));
      const sent = socketsSent.at(-1)!;
      console.log(
        `  ${DASHBOARD_PAGES} dashboard sockets:  ${runLine(withSockets.at(-1)!)} · sent ${sent.aggregates} aggregates, ${sent.samples} samples`,
      );
      if (!withChromiumPages) continue;
      const pages = ['--browsers', String(DASHBOARD_PAGES)];
      withPages.push(await referenceRun(dir, `browsers-pages-${i}`, [...flags, ...pages]));
      console.log(`  ${DASHBOARD_PAGES} Chromium pages:    ${runLine(withPages.at(-1)!)}`);
    }
    const p99 = (r: RunReport) => r.latency_ms.publish_to_client.p99;
    const costs = (runs: readonly RunReport[]) => runs.map((r, i) => p99(r) - p99(without[i]!));
    const socketCost = median(costs(withSockets));
    const pageCost = withChromiumPages ? median(costs(withPages)) : null;
    const pagesLine =
      pageCost === null
        ? 'Chromium pages not run (BENCH_PAGES=false)'
        : `with ${DASHBOARD_PAGES} Chromium pages rendering on these same 2 cores ${formatMs(median(withPages.map(p99)))}, cost median ${formatMs(pageCost)}`;
    console.log(
      `  median p99 ${formatMs(median(without.map(p99)))} without; with ${DASHBOARD_PAGES} dashboards' sockets (what the consumer serves) ${formatMs(median(withSockets.map(p99)))}, cost run by run median ${formatMs(socketCost)}; ${pagesLine}`,
    );
    report['browsers'] = {
      pages: DASHBOARD_PAGES,
      without,
      withSockets,
      with: withPages,
      p99CostMs: { sockets: socketCost, pages: pageCost },
    };
    figures['browsers.p99_cost'] = ms(costs(withSockets));
    if (withChromiumPages) figures['browsers.pages_p99_cost'] = ms(costs(withPages));
  }
  if (cases.has('group')) {
    console.log(
      '\ngroup: 1,000 events/s to 100 clients over 2 workers, 1 consumer against a group of 2, in pairs',
    );
    const byConsumers = new Map<number, RunReport[]>([
      [1, []],
      [2, []],
    ]);
    for (let i = 1; i <= repeat; i++)
      for (const [consumers, runs] of byConsumers) {
        const flags = ['--rate', '1000', '--clients', '100', '--workers', '2'];
        runs.push(
          await referenceRun(dir, `group-${consumers}-${i}`, [...flags, '--consumers', String(consumers)]),
        );
        console.log(`  ${consumers} consumer${consumers > 1 ? 's' : ' '}:${runLine(runs.at(-1)!)}`);
      }
    const [one, two] = [medians(byConsumers.get(1)!), medians(byConsumers.get(2)!)];
    console.log(
      `  median p99 ${formatMs(one.p99)} with 1 consumer, ${formatMs(two.p99)} with a group of 2 (floor p99 ${formatMs(one.floorP99)}, ${formatMs(two.floorP99)}; simulator late p99 ${formatMs(one.generatorLatenessP99)}, ${formatMs(two.generatorLatenessP99)})`,
    );
    report['group'] = {
      one: { medians: one, runs: byConsumers.get(1) },
      two: { medians: two, runs: byConsumers.get(2) },
    };
    latencyFigures('group.one', byConsumers.get(1)!);
    latencyFigures('group.two', byConsumers.get(2)!);
  }
  if (cases.has('generator')) {
    console.log(
      '\ngenerator: one simulator process, 20,000 events/s after a 1 s warm-up, into a bare subscriber (nothing recorded)',
    );
    const runs: Awaited<ReturnType<typeof generatorRun>>[] = [];
    for (let i = 1; i <= repeat; i++) runs.push(await generatorRun(dir, services.redis.url, 20_000, i));
    const of = (pick: (r: SimReport) => number) => median(runs.map((r) => pick(r.report)));
    const m = {
      rate: of((r) => r.rate_achieved),
      p50: of((r) => r.lateness_ms.p50),
      p99: of((r) => r.lateness_ms.p99),
      floorP99: median(runs.map((r) => r.floor.lateness.p99)),
    };
    console.log(
      `  median of ${repeat}: ${m.rate}/s, lateness p50 ${formatMs(m.p50)} p99 ${formatMs(m.p99)} | bare publisher late p99 ${formatMs(m.floorP99)}`,
    );
    report['generator'] = { medians: m, runs };
    figures['generator.late_p99'] = ms(runs.map((r) => r.report.lateness_ms.p99));
    figures['generator.floor_late_p99'] = ms(runs.map((r) => r.floor.lateness.p99));
    figures['generator.rate'] = {
      runs: runs.map((r) => r.report.rate_achieved),
      unit: '/s',
      higherIsBetter: true,
    };
  }
});
if (cases.has('ladder')) {
  console.log(
    `\nladder (one run per rate, 10 clients): highest rate with p99 < ${P99_BUDGET_MS} ms, every checkpoint recorded`,
  );
  const steps: RunReport[] = [];
  let highest: number | null = null;
  for (const rate of ladder) {
    console.log(` ${rate} events/s`);
    const r = await referenceRun(dir, `ladder-${rate}`, ['--rate', String(rate), '--clients', '10']);
    console.log(runLine(r));
    steps.push(r);
    const sustained =
      r.latency_ms.publish_to_client.p99 < P99_BUDGET_MS &&
      r.checkpoints?.recorded === true &&
      r.checkpoints.complete === r.delivery.sent &&
      r.generator.lateness_ms_p99 < P99_BUDGET_MS;
    if (!sustained) break;
    highest = rate;
  }
  console.log(`  highest rate sustained: ${highest === null ? 'none of the ladder' : `${highest} events/s`}`);
  report['ladder'] = { steps, highestSustainedRate: highest };
  // One run per rate: no spread of its own, so any change is reported (noise ±0).
  figures['ladder.highest_sustained'] = { runs: [highest ?? 0], unit: '/s', higherIsBetter: true };
}
report['loadAtEnd'] = load();
await writeFile('reports/bench-flow.json', `${JSON.stringify(report, null, 2)}\n`);
await guardBench('flow', setting, figures);
console.log(
  `\nreport: reports/bench-flow.json (each run's own report in ${dir}/); load average at the end ${load()}`,
);
