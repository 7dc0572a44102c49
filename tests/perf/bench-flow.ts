/*
 * npm run bench:flow — the pattern flow on real services, open loop: 1,000 events/s with 10 Socket.IO
 * clients, then a rate ladder to find the highest rate sustained with publish→client p99 < 100 ms
 * and every checkpoint recorded. Before each rate, this machine's floor at that rate: a bare ioredis →
 * socket.io relay (none of our code), timer wake-up lateness and fsync time, so a slow machine is told
 * apart from a slow harness. PostgreSQL runs with its durable defaults (fsync on) unless
 * HARNESS_POSTGRES_DURABLE=false. Prints percentiles; writes reports/bench-flow.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { formatMs } from '../../src/shared/latency-histogram.ts';
import { formatRun, runFlowLoad, type FlowLoadResult } from './load/flow-load.ts';
import { withBenchServices } from './load/bench-services.ts';
import { formatFloor, measureFloor, type MachineFloor } from './load/machine-floor.ts';

const P99_BUDGET_MS = 100;
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const ladder = (process.env['BENCH_RATES'] ?? '2000,3000,5000,7000,10000').split(',').map(Number);
const ladderClients = Number(process.env['BENCH_LADDER_CLIENTS'] ?? 10);

interface Step {
  readonly run: FlowLoadResult;
  readonly floor: MachineFloor;
}

const sustained = ({ run: r }: Step): boolean =>
  r.publishToClient.p99 < P99_BUDGET_MS &&
  r.flows?.complete === r.sim.sent &&
  r.checkpointsDropped === 0 &&
  r.sim.sent >= 0.99 * r.options.rate * (r.options.durationMs / 1000);

const floorSustained = ({ floor }: Step): boolean => floor.publishToClient.p99 < P99_BUDGET_MS;

const highest = (steps: readonly Step[], ok: (s: Step) => boolean): string => {
  const best = steps.filter(ok).at(-1);
  return best ? `${best.run.options.rate} events/s` : 'none of the ladder';
};

await withBenchServices('bench', async ({ services, setting, freshDatabase, registry }) => {
  console.log(`checkpoint sessions commit asynchronously; ${setting}`);
  const step = async (rate: number, clients: number): Promise<Step> => {
    const floor = await measureFloor({
      redisUrl: services.redis.url,
      rate,
      durationMs: seconds * 1000,
      clients,
      dir: registry.dir,
    });
    const run = await runFlowLoad({
      databaseUrl: await freshDatabase(),
      redisUrl: services.redis.url,
      rate,
      durationMs: seconds * 1000,
      clients,
      tracking: 'integration_events',
      seed: 1,
      workDir: registry.dir,
    });
    [...formatRun(run), formatFloor(floor)].forEach((line) => console.log(line));
    return { run, floor };
  };
  console.log(
    `\nbaseline: 1,000 events/s for ${seconds} s, 10 clients, tracking on; then this machine's floor`,
  );
  const baseline = await step(1000, 10);
  console.log(
    `\nrate ladder (${ladderClients} clients): highest rate with p99 < ${P99_BUDGET_MS} ms and every checkpoint recorded`,
  );
  const steps: Step[] = [];
  for (const rate of ladder) {
    const result = await step(rate, ladderClients);
    steps.push(result);
    if (!sustained(result)) break;
  }
  const best = steps.filter(sustained).at(-1);
  console.log(
    `\nhighest rate sustained: ${best ? `${best.run.options.rate} events/s (p99 ${formatMs(best.run.publishToClient.p99)})` : 'none of the ladder'}; the machine's floor alone, of the rates tried: ${highest(steps, floorSustained)}`,
  );
  await mkdir('reports', { recursive: true });
  const report = {
    bench: 'pattern-flow',
    setting,
    seconds,
    baseline,
    ladder: steps,
    highestSustainedRate: best?.run.options.rate ?? null,
    floorHighestSustainedRate: steps.filter(floorSustained).at(-1)?.run.options.rate ?? null,
  };
  await writeFile('reports/bench-flow.json', `${JSON.stringify(report, null, 2)}\n`);
  console.log('report: reports/bench-flow.json');
});
