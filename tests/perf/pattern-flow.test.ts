import { describe, expect, inject, test } from 'vitest';
import { formatMs } from '../../src/shared/latency-histogram.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { WARMUP_MS } from './load/clients-handle.ts';
import { formatRun, runFlowLoad } from './load/flow-load.ts';
import { formatFloor, measureFloor, type MachineFloor } from './load/machine-floor.ts';

/**
 * What our code may add, at p99, to this machine's floor (a bare ioredis → socket.io relay at the same
 * rate): the PATTERN_PUBLISHED commit before each publish, validation, checkpoint batches. On a quiet
 * machine the floor is a few ms, so this is the 100 ms bound of spec 000; on a busy one the bound
 * rises with the floor, and a harness that adds more than this still fails.
 */
const HARNESS_P99_BUDGET_MS = 100;
/** A floor p99 above this means the machine alone cannot carry the load: nothing can be judged here. */
const MACHINE_FLOOR_LIMIT_MS = 50;
const RATE = 1000;
const CLIENTS = 10;
const FLOOR_MS = 5000;
const services = useIsolatedServices();

describe('pattern flow under load', () => {
  test(`open loop, 1,000 events/s for 10 s after a ${WARMUP_MS / 1000} s warm-up, tracking on, 10 Socket.IO clients: p99 < floor + ${HARNESS_P99_BUDGET_MS} ms, every flow complete`, async (ctx) => {
    const dir = await runTempDir('load-');
    const floor = (): Promise<MachineFloor> =>
      measureFloor({ redisUrl: services.redisUrl, rate: RATE, durationMs: FLOOR_MS, clients: CLIENTS, dir });
    const before = await floor();
    console.log(`[perf] ${formatFloor(before)}`);
    ctx.skip(
      before.publishToClient.p99 > MACHINE_FLOOR_LIMIT_MS,
      `machine too busy to judge the harness: without our code, publish→client p99 is already ${formatMs(before.publishToClient.p99)} (limit ${MACHINE_FLOOR_LIMIT_MS} ms)`,
    );
    const result = await runFlowLoad({
      databaseUrl: services.databaseUrl,
      redisUrl: services.redisUrl,
      rate: RATE,
      durationMs: 10_000,
      clients: CLIENTS,
      tracking: 'integration_events',
      seed: inject('seed'),
      workDir: dir,
    });
    const after = await floor();
    // The machine was at least this slow during the run: the slower of the floors on either side.
    const floorP99 = Math.max(before.publishToClient.p99, after.publishToClient.p99);
    const bound = floorP99 + HARNESS_P99_BUDGET_MS;
    [...formatRun(result), formatFloor(after)].forEach((l) => console.log(`[perf] ${l}`));
    console.log(
      `[perf] bound: floor p99 ${formatMs(floorP99)} + budget ${HARNESS_P99_BUDGET_MS} ms = ${formatMs(bound)}; harness p99 ${formatMs(result.publishToClient.p99)} (simulator late p99 ${formatMs(result.sim.lateness.p99)})`,
    );
    expect(result.sim.sent).toBe(10_000);
    expect(result.receivedPerClient).toEqual(Array.from({ length: CLIENTS }, () => 10_000));
    expect(result.publishToClient.count).toBe(100_000);
    expect(result.publishToClient.p99).toBeLessThan(bound);
    expect(result.flows).toMatchObject({ total: 10_000, complete: 10_000, incomplete: 0 });
    expect(result.checkpointsDropped).toBe(0);
  });
});
