import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import { CHANNELS } from '../../src/contract/channels.ts';
import type { SimReport } from '../../src/contract/schemas/sim-report.ts';
import { ownServices } from '../support/own-services.ts';
import { runCli } from '../support/run-cli.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const own = ownServices();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The postmaster's PID, read from its data directory. */
async function postmasterPid(url: string): Promise<number> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    const pidFile = await readFile(join(rows[0]!.data_directory, 'postmaster.pid'), 'utf8');
    return Number(pidFile.split('\n')[0]);
  } finally {
    await client.end();
  }
}

/** The postmaster and its children (each backend is its own session, so no process group covers them). */
async function serverPids(postmaster: number): Promise<number[]> {
  const parentOf = async (pid: string): Promise<number> =>
    Number((await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.split(' ')[1]);
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e));
  const parents = await Promise.all(pids.map(parentOf));
  return [postmaster, ...pids.filter((_, i) => parents[i] === postmaster).map(Number)];
}

/** SIGSTOPs PostgreSQL as a whole; returns the thaw. */
async function freeze(url: string): Promise<() => void> {
  const pids = await serverPids(await postmasterPid(url));
  const signal = (s: NodeJS.Signals) => () =>
    pids.forEach((pid) => {
      try {
        process.kill(pid, s);
      } catch {
        // a backend that ended since
      }
    });
  signal('SIGSTOP')();
  return signal('SIGCONT');
}

/** Counts the pattern events a subscriber receives. */
async function countPatterns(redisUrl: string): Promise<{ count: () => number }> {
  const sub = new Redis(redisUrl);
  cleanups.push(() => sub.disconnect());
  let count = 0;
  sub.on('message', () => (count += 1));
  await sub.subscribe(CHANNELS.patterns);
  return { count: () => count };
}

describe('the simulator under database faults', () => {
  test('PostgreSQL frozen (SIGSTOP) mid-run: the schedule holds and what could not be recorded is reported', async () => {
    const [postgres, redis] = await Promise.all([own.postgres(), own.redis()]);
    const received = await countPatterns(redis.url);
    const out = join(await runTempDir('sim-freeze-'), 'report.json');
    const rate = 200;
    const run = runCli([
      'sim',
      ...['--database-url', postgres.url, '--redis-url', redis.url],
      ...['--rate', String(rate), '--duration', '3', '--record-timeout', '500', '--out', `json=${out}`],
    ]);
    await pollUntil(() => received.count() > 0, {
      timeoutMs: 20_000,
      what: 'the first event',
      seen: () => run.output(),
    });
    const thaw = await freeze(postgres.url);
    cleanups.push(thaw);
    // Frozen for 1.5 s worth of the schedule, counted in events received, not slept.
    const frozenAt = received.count();
    await pollUntil(() => received.count() >= frozenAt + rate * 1.5, {
      timeoutMs: 10_000,
      what: `${rate * 1.5} events published while PostgreSQL is frozen`,
      seen: () => `${received.count() - frozenAt}; ${run.output()}`,
    });
    thaw();
    await withDeadline(run.exited, 20_000, 'tickstock sim to exit');
    const report = JSON.parse(await readFile(out, 'utf8')) as SimReport;
    expect(report.sent).toBe(rate * 3);
    // Generous for a loaded 2-core machine: it was the freeze's length (1.5 s) and more.
    expect(report.lateness_ms.p99, run.output()).toBeLessThan(300);
    expect(report.record_timeouts, JSON.stringify(report) + run.output()).toBeGreaterThan(0);
    expect(report.db_failures).toBe(report.record_timeouts);
    expect(report.recorded + report.db_failures).toBe(report.sent);
    expect(run.output()).toMatch(/NOT recorded: \d+ \(\d+ of them timed out/);
  });
});
