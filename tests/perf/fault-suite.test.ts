import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { expect, inject, test } from 'vitest';
import { RunReport } from '../../src/contract/schemas/run-report.ts';
import { runCli } from '../support/run-cli.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { withDeadline } from '../support/wait-for.ts';

const validReport = new Ajv().compile<RunReport>(RunReport);

// Issue 12's fault suite: the reference consumer at 500 events/s with 5 errors/s, every fault kind once,
// spaced so that each window holds one fault's cost (the clients' reconnection backoff included).
const FAULTS = [
  'at=2s redis:restart',
  'at=5s redis:pause 1s',
  'at=8s redis:kill-subscriber',
  'at=11s postgres:freeze 3s',
  'at=16s net:latency 50ms±10 for=2s link=redis',
  'at=19s net:bandwidth 64kB/s for=2s link=postgres',
  'at=22s postgres:stop 5s',
  'at=24s consumer:kill', // kill -9 while PostgreSQL is away: what it had taken is journaled
  'at=31s clients:drop 50%',
  'at=34s net:cut 1s link=clients',
  'at=37s consumer:restart',
];

test('every fault kind once at 500 events/s: no error the consumer took is lost, Redis recovery < 1 s, every lost flow listed', async () => {
  const json = join(await runTempDir('fault-suite-'), 'faults.json');
  const run = runCli(
    [
      ...['run', '--start', 'reference', '--rate', '500', '--duration', '41', '--clients', '2'],
      ...['--errors', '5', '--error-severities', 'error:3,critical:1', '--grace', '5'],
      ...['--seed', String(inject('seed')), '--out', `json=${json}`],
      ...FAULTS.flatMap((f) => ['--fault', f]),
      ...['--threshold', 'recovery.redis_restart < 1s', '--threshold', 'recovery.redis_kill_subscriber < 1s'],
    ],
    { HARNESS_SERVICES: 'local' }, // process faults need server processes the run started
  );
  const code = await withDeadline(run.exited, 150_000, 'the fault run to end');
  const output = run.output();
  console.log(
    `[faults] ${output
      .split('\n')
      .filter((l) => l.includes(' fault '))
      .join('\n[faults] ')}`,
  );
  const r = JSON.parse(await readFile(json, 'utf8')) as RunReport;
  expect(validReport(r), JSON.stringify(validReport.errors)).toBe(true);
  expect(code, output.slice(-3000)).toBe(0);

  const faults = new Map((r.faults ?? []).map((f) => [f.label, f]));
  expect([...faults.values()].map((f) => f.spec)).toEqual(FAULTS);
  for (const f of faults.values()) {
    expect(f.failed, f.label).toBeUndefined();
    expect(f.ended_ms, `${f.label} ended`).not.toBeNull();
    // Every lost flow is listed by id, in its fault's section and in the run's lost list.
    expect(f.lost.length, f.label).toBe(Math.min(f.lost_count, 1000));
    const listed = new Set(r.lost.map((l) => l.flow_id));
    if (r.lost.length < 1000)
      expect(
        f.lost.filter((id) => !listed.has(id)),
        f.label,
      ).toEqual([]);
  }
  // Faults the pipeline rides through: nothing lost, every error shown and stored.
  for (const label of ['redis_pause', 'postgres_freeze', 'net_latency_redis', 'net_bandwidth_postgres']) {
    expect(faults.get(label), label).toMatchObject({ lost_count: 0, errors_lost: [] });
  }
  // Errors: whatever was not stored reached no subscriber when published (the killed consumer's gap),
  // but one that was in the consumer's socket at the instant of kill -9, which no PUBLISH count can tell.
  const storedHeard = r.errors!.not_stored.filter((e) => e.unheard !== true);
  expect(storedHeard.length, JSON.stringify(r.errors!.not_stored)).toBeLessThanOrEqual(1);
  expect(r.errors!.unheard).toBeGreaterThan(0); // the kill's gap: measured, not assumed
  expect(faults.get('consumer_kill')!.errors_unheard).toBeGreaterThan(0);
}, 180_000);
