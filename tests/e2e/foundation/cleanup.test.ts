import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, inject, test } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { dockerEndpoint, dockerRequest } from '../../../src/services/docker-api.ts';
import { isAlive } from '../../../src/services/pid-control.ts';
import { reapRun } from '../../../src/services/provider.ts';
import { RunRegistry } from '../../../src/services/run-registry.ts';
import { pollUntil, withDeadline } from '../../support/wait-for.ts';

interface HolderReport {
  readonly runDir: string;
  readonly pids: readonly number[];
  readonly containers: readonly string[];
}

const config = loadConfig(process.env).services;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function hold(...args: string[]): Promise<{ child: ChildProcess; report: HolderReport }> {
  const env = { ...process.env, DATABASE_URL: '', REDIS_URL: '', TEST_DATABASE_URL: '', TEST_REDIS_URL: '' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/hold-services.ts', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const line = await withDeadline(
    once(lines, 'line').then(([l]) => l as string),
    60_000,
    `a report from hold-services ${args.join(' ')}`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; its stderr:\n${stderr}`);
  });
  return { child, report: JSON.parse(line) as HolderReport };
}

async function expectNothingLeft(report: HolderReport): Promise<void> {
  const left = () => [
    ...report.pids.filter(isAlive).map(String),
    ...(existsSync(report.runDir) ? [report.runDir] : []),
  ];
  await pollUntil(() => left().length === 0, {
    timeoutMs: 15_000,
    what: 'every server process and the run directory to be gone',
    seen: () => `still there: ${left().join(', ')}`,
  });
}

describe('nothing a run starts survives it', () => {
  test('SIGKILL of the owner: the reaper ends its servers and removes its run directory', async () => {
    const { child, report } = await hold('owner', 'local');
    expect(report.pids).toHaveLength(2);
    expect(report.pids.every(isAlive)).toBe(true);
    child.kill('SIGKILL');
    await expectNothingLeft(report);
  });

  test('SIGINT: the owner closes its services itself and exits 0', async () => {
    const { child, report } = await hold('owner', 'local');
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = (await withDeadline(exited, 15_000, 'the owner to exit after SIGINT')) as [number | null];
    expect(code).toBe(0);
    await expectNothingLeft(report);
  });

  test('an uncaught exception in the owner: the reaper cleans up', async () => {
    const { child, report } = await hold('owner', 'local', 'crash');
    await withDeadline(once(child, 'exit'), 15_000, 'the crashing owner to exit');
    expect(child.exitCode).not.toBe(0);
    await expectNothingLeft(report);
  });

  test("a crashed worker's server is ended by the owner's teardown", async () => {
    const registry = await RunRegistry.create(config.tmpDir);
    const { child, report } = await hold('worker', registry.dir);
    child.kill('SIGKILL');
    await withDeadline(once(child, 'exit'), 5000, 'the worker to die');
    expect(report.pids.every(isAlive)).toBe(true);
    const reaped = await reapRun(registry, config);
    expect(reaped.processes).toBe(1);
    await expectNothingLeft(report);
  });

  test.runIf(inject('services').postgresOrigin === 'containers')(
    'SIGKILL of an owner with containers: the reaper removes them',
    async () => {
      const { child, report } = await hold('owner', 'containers');
      expect(report.containers).toHaveLength(2);
      child.kill('SIGKILL');
      await expectNothingLeft(report);
      const endpoint = dockerEndpoint(config.dockerHost);
      const statuses = async () =>
        Promise.all(
          report.containers.map(
            async (id) => (await dockerRequest(endpoint, 'GET', `/containers/${id}/json`, 5000)).status,
          ),
        );
      await pollUntil(async () => (await statuses()).every((s) => s === 404), {
        timeoutMs: 20_000,
        what: 'both containers to be removed',
        seen: async () => `HTTP ${(await statuses()).join(', ')}`,
      });
    },
  );
});
