import { defineConfig } from 'vitest/config';
import { loadConfig } from './src/config/load-config.ts';
import { chooseSeed } from './tests/support/seed.ts';

// Pub-sub is server-wide: files may run in parallel only when each gets its own Redis server.
const services = loadConfig(process.env).services;
const sharedRedis = services.mode === 'external' || services.redisUrl !== undefined;

// One seed for the whole run, printed first, handed to every project (rule 10 of STYLE.md).
// The config is evaluated more than once per run: the first evaluation fixes and announces it.
const seed = chooseSeed(process.env);
if (process.env['TEST_SEED'] === undefined) {
  process.env['TEST_SEED'] = String(seed);
  console.log(`[harness] seed ${seed} (reproduce with TEST_SEED=${seed})`);
}

export default defineConfig({
  test: {
    retry: 0,
    // Vitest's default on 2 cores is one worker; e2e files mostly wait on servers and child
    // processes, so three files at a time keep both cores busy (measured: 220 s → see README).
    maxWorkers: 3,
    // Files share a worker's loaded modules (no test mocks or stubs anything): the suite spent 53 s
    // importing pg, ioredis and socket.io again for every file; 18 s this way.
    isolate: false,
    provide: { seed },
    allowOnly: !process.env['CI'],
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'contract',
          include: ['tests/contract/**/*.test.ts'],
          globalSetup: ['tests/support/build-cli-setup.ts'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/support/build-cli-setup.ts', 'tests/support/global-setup.ts'],
          setupFiles: ['tests/support/end-children.ts'],
          // Generous: CLI tests start processes, and three files share two cores.
          testTimeout: 60_000,
          hookTimeout: 90_000,
          fileParallelism: !sharedRedis,
        },
      },
      {
        extends: true,
        test: {
          // Whole-system runs of seconds each (faults, reaping, Ctrl+C in a terminal, reports in a
          // browser): CI's system lane, kept out of npm test so that it stays within its 3 minutes.
          name: 'system',
          include: ['tests/system/**/*.test.ts'],
          globalSetup: ['tests/support/build-cli-setup.ts', 'tests/support/global-setup.ts'],
          setupFiles: ['tests/support/end-children.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          fileParallelism: !sharedRedis,
        },
      },
      {
        extends: true,
        test: {
          name: 'perf',
          include: ['tests/perf/**/*.test.ts'],
          globalSetup: ['tests/support/build-cli-setup.ts', 'tests/support/global-setup.ts'],
          setupFiles: ['tests/support/end-children.ts'],
          testTimeout: 120_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
