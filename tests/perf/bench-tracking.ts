/*
 * npm run bench:tracking — what integration tracking really costs (spec 002 against 000/001): the same
 * open-loop load with nothing recorded, log lines only, our batched sinks (integration_events, events,
 * both), and a naive consumer that awaits one INSERT per checkpoint. Writes reports/bench-tracking.json
 * and the table in docs/tracking-cost.md.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { TrackingMode } from './load/consumer-process.ts';
import { formatRun, runFlowLoad, type FlowLoadResult } from './load/flow-load.ts';
import { withBenchServices } from './load/bench-services.ts';

const MODES: readonly TrackingMode[] = [
  'off',
  'log-only',
  'integration_events',
  'events',
  'both',
  'naive-inline',
];
const rates = (process.env['BENCH_RATES'] ?? '1000,5000').split(',').map(Number);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const clients = 10;

// `--render` rewrites docs/tracking-cost.md from the last report without measuring again.
if (process.argv.includes('--render')) {
  const last = JSON.parse(await readFile('reports/bench-tracking.json', 'utf8')) as {
    setting: string;
    results: FlowLoadResult[];
  };
  await writeFile('docs/tracking-cost.md', renderReport(last.results, last.setting));
  console.log('rewrote docs/tracking-cost.md from reports/bench-tracking.json');
  process.exit(0);
}

const results: FlowLoadResult[] = [];
await withBenchServices('tracking', async ({ services, setting, freshDatabase, registry }) => {
  for (const rate of rates) {
    console.log(`\n${rate} events/s for ${seconds} s, ${clients} Socket.IO clients`);
    for (const tracking of MODES) {
      const result = await runFlowLoad({
        databaseUrl: await freshDatabase(),
        redisUrl: services.redis.url,
        rate,
        durationMs: seconds * 1000,
        clients,
        tracking,
        seed: 7,
        workDir: registry.dir,
      });
      results.push(result);
      formatRun(result).forEach((line) => console.log(line));
    }
  }
  await mkdir('reports', { recursive: true });
  await writeFile(
    'reports/bench-tracking.json',
    `${JSON.stringify({ bench: 'tracking', setting, seconds, clients, results }, null, 2)}\n`,
  );
  await writeFile('docs/tracking-cost.md', renderReport(results, setting));
  console.log('\nreport: reports/bench-tracking.json, table: docs/tracking-cost.md');
});

function conclusion(all: readonly FlowLoadResult[]): string {
  const at = (rate: number, mode: TrackingMode) =>
    all.find((r) => r.options.rate === rate && r.options.tracking === mode);
  const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  const rates = [...new Set(all.map((r) => r.options.rate))];
  const top = Math.max(...rates);
  const ours = at(top, 'integration_events');
  const hop = (name: string) => ours?.hops.find((h) => h.hop === name)?.p99 ?? 0;
  const median = rates.map(
    (rate) =>
      `${ms(at(rate, 'integration_events')!.publishToClient.p50 - at(rate, 'off')!.publishToClient.p50)} ms at ${rate.toLocaleString('en-US')}/s`,
  );
  return [
    "Where spec 002's 5–10 ms comes from: writing checkpoints inline, one committed row at a time, on the delivery",
    'path. The naive design pays it in the tail already at the lowest rate and cannot keep up at the highest.',
    `Kept off the delivery path and batched, tracking adds ${median.join(' and ')} at the median. The consumer's own`,
    `hops stay in microseconds with tracking on (received→parsed p99 ${ms(hop('received→parsed'))} ms, parsed→delivered p99`,
    `${ms(hop('parsed→delivered'))} ms at ${top.toLocaleString('en-US')}/s); what tracking adds to the tail at high rates comes from`,
    "sharing this machine's two cores with PostgreSQL writing every row durably, and from the producer recording each",
    "batch before it publishes (spec 001's order), which shows as the simulator's lateness. So spec 002's saving holds",
    'for the naive design, not for this one: the harness keeps tracking on by default, where every flow stays',
    'checkable, and offers the switch (`ENABLE_INTEGRATION_TRACKING=false`, `TRACKING_SINK`, `tickstock db',
    'drop-tracking`) for deployments where the last milliseconds of the tail matter more.',
  ].join('\n');
}

function renderReport(all: readonly FlowLoadResult[], setting: string): string {
  const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  const rows = all.map((r) => {
    const base = all.find((b) => b.options.rate === r.options.rate && b.options.tracking === 'off')!;
    const delivered = Math.min(...r.receivedPerClient);
    return `| ${r.options.rate.toLocaleString('en-US')}/s | ${r.options.tracking} | ${ms(r.publishToClient.p50)} | ${ms(r.publishToClient.p99)} | ${ms(r.publishToClient.p50 - base.publishToClient.p50)} / ${ms(r.publishToClient.p99 - base.publishToClient.p99)} | ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} | ${r.consumerCpuPercent.toFixed(0)} % | ${delivered.toLocaleString('en-US')} / ${r.sim.sent.toLocaleString('en-US')} | ${r.flows === null ? '—' : r.flows.complete.toLocaleString('en-US')} |`;
  });
  const at = (rate: number, mode: TrackingMode) =>
    all.find((r) => r.options.rate === rate && r.options.tracking === mode);
  const verdicts = [...new Set(all.map((r) => r.options.rate))].map((rate) => {
    const off = at(rate, 'off')!;
    const ours = at(rate, 'integration_events')!;
    const naive = at(rate, 'naive-inline')!;
    const d = (r: FlowLoadResult, k: 'p50' | 'p99') => ms(r.publishToClient[k] - off.publishToClient[k]);
    return `- At ${rate.toLocaleString('en-US')} events/s, recording every checkpoint our way (integration_events) adds ${d(ours, 'p50')} ms at p50 and ${d(ours, 'p99')} ms at p99 to publish→browser; the naive inline design adds ${d(naive, 'p50')} ms at p50 and ${d(naive, 'p99')} ms at p99${Math.min(...naive.receivedPerClient) < naive.sim.sent ? `, and only ${Math.min(...naive.receivedPerClient).toLocaleString('en-US')} of ${naive.sim.sent.toLocaleString('en-US')} events reached every browser within the run` : ''}.`;
  });
  return `# What integration tracking costs

Generated by \`npm run bench:tracking\` (${setting}). The same open-loop load for each mode: the simulator
records PATTERN_PUBLISHED where the consumer records its checkpoints (nothing for \`off\` and \`log-only\`);
publish→browser is measured in ${clients} Socket.IO clients in their own process; the consumer runs in its own
process. Δ is against \`off\` at the same rate (p50 / p99). Rows/s counts every checkpoint row written, the
producer's included; "delivered" is the fewest events any one browser received.

| rate | mode | p50 ms | p99 ms | Δ p50 / p99 ms | rows/s | consumer CPU | delivered / sent | flows complete |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Modes: \`off\` records nothing; \`log-only\` is \`ENABLE_INTEGRATION_TRACKING=false\` (spec 002 Phase 4 log lines);
\`integration_events\`, \`events\` and \`both\` are \`TRACKING_SINK\` with our batched, asynchronous sinks; \`naive-inline\`
awaits one \`log_integration_event()\` per checkpoint before going on, as the original TickStockAppV2 did.

## Verdict on spec 002

Spec 002 says removing integration logging saves 5–10 ms per event.

${verdicts.join('\n')}

${conclusion(all)}
`;
}
