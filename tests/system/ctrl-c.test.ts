import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import { PACKAGE_ROOT } from '../../src/shared/package-root.ts';
import { CHANNELS } from '../../src/contract/channels.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { cliEnv, watchChild } from '../support/run-cli.ts';
import { withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();

/**
 * `tickstock …` in a real pseudo-terminal (util-linux `script`), where Ctrl+C is the byte 0x03 that
 * the terminal turns into SIGINT for the foreground process group, exactly as when a person types it.
 */
function inTerminal(args: readonly string[], env: Record<string, string>) {
  // A fresh pseudo-terminal has no size; a person's has one, and log-update wraps to it. `exec`: script
  // runs the command in $SHELL, and dash, left waiting as the parent, re-raises the SIGINT it also got
  // once node has exited, so the exit status would be the shell's 130, not the harness's.
  const command = ['stty cols 160 rows 40;', 'exec', 'node', 'bin/tickstock.js', ...args].join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: PACKAGE_ROOT,
    env: cliEnv({ SHELL: '/bin/sh', ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return { ...watchChild(child), ctrlC: () => child.stdin.write('\x03') };
}

describe('Ctrl+C in a terminal', () => {
  test('sim: the first Ctrl+C drains, prints the summary and exits 0', async () => {
    const sub = new Redis(services.redisUrl);
    await sub.subscribe(CHANNELS.patterns);
    try {
      const run = inTerminal(['sim', '--no-db', '--rate', '100', '--seed', '1'], {
        REDIS_URL: services.redisUrl,
      });
      await run.waitFor(/sent [1-9]\d* · /, 30_000);
      run.ctrlC();
      expect(await withDeadline(run.exited, 20_000, 'sim to exit'), run.output()).toBe(0);
      expect(run.output()).toMatch(/SIGINT: stopping; flushing what was scheduled/);
      expect(run.output()).toMatch(/sent \d+ pattern events in/);
      expect(run.output()).toMatch(/result: ok/);
    } finally {
      sub.disconnect();
    }
  }, 90_000);

  test('run: the first Ctrl+C stops sending, waits the grace period, judges what ran and exits by it; the clients workers outlive the signal', async () => {
    const run = inTerminal(
      [
        'run',
        '--start',
        'reference',
        '--rate',
        '100',
        '--duration',
        '60',
        '--clients',
        '4',
        '--workers',
        '2',
        '--threshold',
        "'lost == 0'",
      ],
      {},
    );
    await run.waitFor(/sent [1-9]\d* · \d+\/s · received \(fewest\) [1-9]/, 60_000);
    run.ctrlC();
    expect(await withDeadline(run.exited, 15_000, 'the run to exit'), run.output()).toBe(0); // no consumer left holding it open
    expect(run.output()).toMatch(/SIGINT: stopping the load; waiting the grace period/);
    expect(run.output()).toMatch(/run \(spec, 4 clients, [\d.]+ s\): PASS/);
    expect(run.output()).toMatch(/✓ lost == 0/);
    expect(run.output()).not.toMatch(/RUN_WORKER_DIED/);
  }, 120_000);

  test('demo: the first Ctrl+C stops and cleans up with a summary, exit 0; a second one stops at once, exit 130', async () => {
    const env = { CONSUMER_PORT: '0' };
    const demo = inTerminal(['demo', '--rate', '20'], env);
    await demo.waitFor(/dashboard \(live patterns/, 60_000);
    await demo.waitFor(/events\/s · /, 30_000);
    demo.ctrlC();
    expect(await withDeadline(demo.exited, 30_000, 'the demo to exit'), demo.output()).toBe(0);
    expect(demo.output()).toMatch(/SIGINT: stopping the simulator/);
    expect(demo.output()).toMatch(/sent \d+ pattern events in/);
    expect(demo.output()).toMatch(/delivered to the built-in client: (\d+) of \1 published; 0 flows missing/);
    // Log lines (the demo's simulated criticals raise alerts) stand on lines of their own, never inside
    // the status line or the summary.
    expect(demo.output()).not.toMatch(/events\/s · [^\n]*\{"level"|\{"level"[^\n]*events\/s · /);
    expect(demo.output()).not.toMatch(/terminating connection/); // an orderly stop warns about nothing

    const twice = inTerminal(['demo', '--rate', '20'], env);
    await twice.waitFor(/dashboard \(live patterns/, 60_000);
    twice.ctrlC();
    await twice.waitFor(/SIGINT: stopping the simulator/, 30_000);
    twice.ctrlC();
    expect(await withDeadline(twice.exited, 20_000, 'the demo to exit at once'), twice.output()).toBe(130);
    expect(twice.output()).toMatch(/SIGINT again: stopping at once/);
  }, 180_000);
});
