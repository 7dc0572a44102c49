import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, inject, test } from 'vitest';
import { RunReport } from '../../src/contract/schemas/run-report.ts';
import { runCli } from '../support/run-cli.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { withDeadline } from '../support/wait-for.ts';

/**
 * What our consumer may add, at p99, to this machine's floor (the same load through a bare ioredis →
 * socket.io relay, measured by `run --floor` just before): the PATTERN_PUBLISHED commit before each
 * publish, validation, checkpoint batches. On a quiet machine the floor is a few ms, so this is the
 * 100 ms bound of spec 000; on a busy one the bound rises with the floor.
 */
const HARNESS_P99_BUDGET_MS = 100;
/** A floor p99 above this means the machine alone cannot carry the load: nothing can be judged here. */
const MACHINE_FLOOR_LIMIT_MS = 50;
const validReport = new Ajv().compile<RunReport>(RunReport);

describe('pattern flow under load, as a user measures it', () => {
  test(`tickstock run --start reference --floor: 1,000 events/s for 10 s after a 3 s warm-up, 10 Socket.IO clients: over_floor.p99 < ${HARNESS_P99_BUDGET_MS} ms, every flow delivered and complete`, async (ctx) => {
    const json = join(await runTempDir('load-'), 'flow.json');
    const seed = String(inject('seed'));
    const run = runCli([
      ...['run', '--start', 'reference', '--floor', '--seed', seed],
      ...['--rate', '1000', '--duration', '10', '--warmup', '3', '--clients', '10'],
      ...['--threshold', `over_floor.p99 < ${HARNESS_P99_BUDGET_MS}`, '--threshold', 'lost == 0'],
      ...['--threshold', 'flows_complete >= 1', '--out', `json=${json}`],
    ]);
    const code = await withDeadline(run.exited, 120_000, 'the run to end');
    console.log(`[perf] ${run.output().split('\n').slice(-24).join('\n[perf] ')}`);
    const r = JSON.parse(await readFile(json, 'utf8')) as RunReport;
    expect(validReport(r), JSON.stringify(validReport.errors)).toBe(true);
    const floorP99 = r.floor!.publish_to_client.p99;
    ctx.skip(
      floorP99 > MACHINE_FLOOR_LIMIT_MS,
      `machine too busy to judge the harness: without our code, publish→client p99 is already ${floorP99} ms (limit ${MACHINE_FLOOR_LIMIT_MS} ms)`,
    );
    expect(r.delivery).toMatchObject({ sent: 10_000, received_min: 10_000, received_max: 10_000 });
    expect(r.latency_ms.publish_to_client.count).toBe(100_000);
    expect(r.checkpoints).toMatchObject({ recorded: true, complete: 10_000, incomplete_count: 0 });
    expect(r.thresholds.map((t) => [t.name, t.ok])).toEqual([
      ['over_floor.p99', true],
      ['lost', true],
      ['flows_complete', true],
    ]);
    expect(code, run.output()).toBe(0);
  }, 150_000);
});
