import { describe, expect, inject, test } from 'vitest';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { runFlowLoad } from './load/flow-load.ts';

// Generous bounds only: the figures themselves come from `npm run bench`.
const P99_BUDGET_MS = 100;
const services = useIsolatedServices();

describe('pattern flow under load', () => {
  test('open loop, 1,000 events/s for 10 s, tracking on, 10 Socket.IO clients: p99 < 100 ms, every flow complete', async () => {
    const result = await runFlowLoad({
      databaseUrl: services.databaseUrl,
      redisUrl: services.redisUrl,
      rate: 1000,
      durationMs: 10_000,
      clients: 10,
      tracking: 'integration_events',
      seed: inject('seed'),
      workDir: await runTempDir('load-'),
    });
    console.log(
      `[perf] publish→client ${JSON.stringify(result.publishToClient)}; flows ${JSON.stringify(result.flows)}; consumer CPU ${result.consumerCpuPercent.toFixed(0)} %`,
    );
    expect(result.sim.sent).toBe(10_000);
    expect(result.receivedPerClient).toEqual(Array.from({ length: 10 }, () => 10_000));
    expect(result.publishToClient.count).toBe(100_000);
    expect(result.publishToClient.p99).toBeLessThan(P99_BUDGET_MS);
    expect(result.flows).toMatchObject({ total: 10_000, complete: 10_000, incomplete: 0 });
    expect(result.checkpointsDropped).toBe(0);
  });
});
