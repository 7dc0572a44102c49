/*
 * npm run bench — the pattern flow on real services, open loop: 1,000 events/s with 10 Socket.IO
 * clients, then a rate ladder to find the highest rate sustained with publish→client p99 < 100 ms
 * and every checkpoint recorded. PostgreSQL runs with its durable defaults (fsync on) unless
 * HARNESS_POSTGRES_DURABLE=false. Prints percentiles; writes reports/bench-flow.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { loadConfig } from '../../src/config/load-config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createDatabase, databaseUrl } from '../../src/db/template-databases.ts';
import { reapRun, startServices } from '../../src/services/provider.ts';
import { startReaper } from '../../src/services/reaper.ts';
import { RunRegistry } from '../../src/services/run-registry.ts';
import { formatMs } from '../../src/shared/latency-histogram.ts';
import { runFlowLoad, type FlowLoadResult } from './load/flow-load.ts';

const P99_BUDGET_MS = 100;
const env = { HARNESS_POSTGRES_DURABLE: 'true', ...process.env };
const config = loadConfig(env);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const ladder = (process.env['BENCH_RATES'] ?? '2000,3000,5000,7000,10000').split(',').map(Number);
const ladderClients = Number(process.env['BENCH_LADDER_CLIENTS'] ?? 10);

function print(r: FlowLoadResult): void {
  const p = r.publishToClient;
  const ok = r.flows.complete === r.sim.sent && r.checkpointsDropped === 0;
  console.log(
    `${String(r.options.rate).padStart(6)}/s x ${r.options.clients} clients: publish→client p50 ${formatMs(p.p50)} p90 ${formatMs(p.p90)} p99 ${formatMs(p.p99)} p99.9 ${formatMs(p.p999)} max ${formatMs(p.max)} | sent ${r.sim.sent}, flows complete ${r.flows.complete}${ok ? '' : ' (INCOMPLETE)'} | ${Math.round(r.rowsPerSecond)} rows/s | consumer CPU ${r.consumerCpuPercent.toFixed(0)} % | sim late p99 ${formatMs(r.sim.lateness.p99)}`,
  );
  for (const h of r.hops)
    console.log(
      `         ${h.hop.padEnd(20)} p50 ${formatMs(h.p50 ?? 0)}  p90 ${formatMs(h.p90 ?? 0)}  p99 ${formatMs(h.p99 ?? 0)}  max ${formatMs(h.max ?? 0)}`,
    );
}

const sustained = (r: FlowLoadResult): boolean =>
  r.publishToClient.p99 < P99_BUDGET_MS &&
  r.flows.complete === r.sim.sent &&
  r.checkpointsDropped === 0 &&
  r.sim.sent >= 0.99 * r.options.rate * (r.options.durationMs / 1000);

const registry = await RunRegistry.create(config.services.tmpDir);
const reaper = startReaper(process.pid, registry.dir);
const services = await startServices(config.services, registry);
try {
  console.log(
    `${services.describe()}\nPostgreSQL ${config.services.postgresDurable ? 'durable (fsync on)' : 'test speed (fsync off)'}; checkpoint sessions commit asynchronously; ${cpus().length} cores; Node ${process.version}`,
  );
  await createDatabase(services.postgres.url, 'bench_template');
  await migrate(databaseUrl(services.postgres.url, 'bench_template'));
  let n = 0;
  const run = async (rate: number, clients: number): Promise<FlowLoadResult> => {
    const name = `bench_${(n += 1)}`;
    await createDatabase(services.postgres.url, name, 'bench_template');
    const result = await runFlowLoad({
      databaseUrl: databaseUrl(services.postgres.url, name),
      redisUrl: services.redis.url,
      rate,
      durationMs: seconds * 1000,
      clients,
      tracking: 'integration_events',
      seed: 1,
    });
    print(result);
    return result;
  };
  console.log(`\nbaseline: 1,000 events/s for ${seconds} s, 10 clients, tracking on`);
  const baseline = await run(1000, 10);
  console.log(
    `\nrate ladder (${ladderClients} clients): highest rate with p99 < ${P99_BUDGET_MS} ms and every checkpoint recorded`,
  );
  const steps: FlowLoadResult[] = [];
  for (const rate of ladder) {
    const result = await run(rate, ladderClients);
    steps.push(result);
    if (!sustained(result)) break;
  }
  const best = steps.filter(sustained).at(-1);
  console.log(
    `\nhighest rate sustained: ${best ? `${best.options.rate} events/s (p99 ${formatMs(best.publishToClient.p99)})` : 'none of the ladder'}`,
  );
  await mkdir('reports', { recursive: true });
  await writeFile(
    'reports/bench-flow.json',
    `${JSON.stringify({ bench: 'pattern-flow', node: process.version, cores: cpus().length, postgresDurable: config.services.postgresDurable, seconds, baseline, ladder: steps, highestSustainedRate: best?.options.rate ?? null }, null, 2)}\n`,
  );
  console.log('report: reports/bench-flow.json');
} finally {
  await services.close();
  await reapRun(registry, config.services);
  reaper.stop();
}
