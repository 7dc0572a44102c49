/*
 * A stand-in for any process that starts services (a test run, the CLI), for the cleanup tests:
 *   owner <local|containers> [crash]   start both services with a reaper, report, then wait
 *                                       (SIGINT closes cleanly; "crash" throws right after reporting)
 *   worker <runDir>                     start a Redis listed in another owner's run dir, report, wait
 * It reports one JSON line: the run dir and the PIDs and container ids it started.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.ts';
import { reapRun, startRedis, startServices } from '../../src/services/provider.ts';
import { startReaper } from '../../src/services/reaper.ts';
import { RunRegistry } from '../../src/services/run-registry.ts';

async function report(registry: RunRegistry): Promise<void> {
  const pids = (await readdir(join(registry.dir, 'procs'))).map(Number);
  const containers = await readdir(join(registry.dir, 'containers'));
  process.stdout.write(`${JSON.stringify({ runDir: registry.dir, pids, containers })}\n`);
}

const [role, arg, crash] = process.argv.slice(2);
const config = loadConfig(process.env).services;
if (role === 'owner') {
  const registry = await RunRegistry.create(config.tmpDir);
  const reaper = startReaper(process.pid, registry.dir);
  const services = await startServices(
    { ...config, mode: arg === 'containers' ? 'containers' : 'local' },
    registry,
  );
  process.once('SIGINT', () => {
    void services
      .close()
      .then(() => reapRun(registry, config))
      .then(() => {
        reaper.stop();
        process.exit(0);
      });
  });
  await report(registry);
  if (crash === 'crash')
    setImmediate(() => {
      throw new Error('simulated crash of the owner');
    });
} else if (role === 'worker' && arg !== undefined) {
  const registry = RunRegistry.attach(arg);
  await startRedis('local', config, registry);
  await report(registry);
} else {
  throw new Error(
    `usage: hold-services owner <local|containers> [crash] | worker <runDir>; got ${process.argv.slice(2).join(' ')}`,
  );
}
setInterval(() => undefined, 60_000); // stay alive until signalled
