import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { isAlive } from '../../src/services/pid-control.ts';
import { runCli, type CliRun } from '../support/run-cli.ts';
import { pollUntil, withDeadline } from '../support/wait-for.ts';

const LOCAL = {
  HARNESS_SERVICES: 'local',
  DATABASE_URL: '',
  REDIS_URL: '',
  TEST_DATABASE_URL: '',
  TEST_REDIS_URL: '',
};

const started: ChildProcess[] = [];
const runDirs: string[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(runDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** The servers `tickstock services` listed in its run directory, by program name. */
async function listedPids(runDir: string): Promise<Map<string, number>> {
  const files = await readdir(join(runDir, 'procs'));
  const lines = await Promise.all(files.map((f) => readFile(join(runDir, 'procs', f), 'utf8')));
  return new Map(lines.map((l) => l.trim().split(' ')).map(([pid, , name]) => [name ?? '', Number(pid)]));
}

/** The PID of the detached watchdog of a run directory. */
async function reaperOf(runDir: string): Promise<number> {
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e));
  const lines = await Promise.all(pids.map((p) => readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')));
  const found = pids.find((_, i) => lines[i]!.includes('tickstock-reaper') && lines[i]!.includes(runDir));
  if (found === undefined) throw new Error(`no reaper watches ${runDir}`);
  return Number(found);
}

async function startServicesCommand(): Promise<{ run: CliRun; runDir: string }> {
  const run = runCli(['services'], LOCAL);
  started.push(run.child);
  await run.waitFor(/Ctrl\+C stops the services/, 60_000);
  const envFile = /set -a; \. (\S+); set \+a/.exec(run.output())?.[1] ?? '';
  const runDir = dirname(envFile);
  runDirs.push(runDir);
  return { run, runDir };
}

/** `tickstock services` whose Redis was stopped and started again by hand on its data, as an operator would. */
async function withRedisRestartedByHand() {
  const { run, runDir } = await startServicesCommand();
  const pids = await listedPids(runDir);
  const redisDir = join(runDir, (await readdir(runDir)).find((e) => e.startsWith('redis-')) ?? '');
  process.kill(pids.get('redis-server') ?? -1, 'SIGTERM');
  await run.waitFor(/redis on \S+ stopped answering/);
  const byHand = spawn('redis-server', [join(redisDir, 'redis.conf')], { stdio: 'ignore', detached: true });
  started.push(byHand);
  await run.waitFor(/redis on \S+ answers again/);
  return { run, runDir, pids, redisDir, byHand };
}

test('services outlives both of its servers, says so, and keeps data a server restarted by hand still runs on', async () => {
  const { run, runDir, pids, redisDir, byHand } = await withRedisRestartedByHand();

  process.kill(pids.get('postgres') ?? -1, 'SIGINT');
  await run.waitFor(/postgres on \S+ stopped answering; the postgres we started \(pid \d+\) has exited/);
  // Neither original child is alive now: it used to exit here with code 13 and its reaper removed the data.
  expect(run.child.exitCode).toBeNull();

  run.child.kill('SIGINT');
  expect(await withDeadline(run.exited, 20_000, 'tickstock services to exit after SIGINT')).toBe(0);
  expect(run.output()).toMatch(new RegExp(`kept ${runDir}: redis-server \\(pid ${byHand.pid}\\)`));
  expect(existsSync(join(redisDir, 'redis.conf'))).toBe(true);
  expect(isAlive(byHand.pid ?? -1)).toBe(true);

  byHand.kill('SIGTERM');
  await pollUntil(() => byHand.exitCode !== null, {
    timeoutMs: 10_000,
    what: 'the hand-started redis to exit',
  });
});

test('services killed (SIGKILL): its reaper stops the servers it started but keeps data a hand-started server runs on', async () => {
  const { run, runDir, pids, redisDir, byHand } = await withRedisRestartedByHand();

  const reaper = await reaperOf(runDir);
  run.child.kill('SIGKILL');
  await pollUntil(() => !isAlive(reaper), { timeoutMs: 15_000, what: 'the reaper to finish' });
  expect(isAlive(pids.get('postgres') ?? -1)).toBe(false);
  expect(existsSync(join(redisDir, 'redis.conf'))).toBe(true);
  byHand.kill('SIGTERM');
  await pollUntil(() => byHand.exitCode !== null, {
    timeoutMs: 10_000,
    what: 'the hand-started redis to exit',
  });
});
