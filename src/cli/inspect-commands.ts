import { Redis } from 'ioredis';
import type pg from 'pg';
import { withCliPool } from './cli-pool.ts';
import { runDiagnosis } from '../analysis/diagnosis-checks.ts';
import { renderSnapshot, takeSnapshot } from '../analysis/monitor-snapshot.ts';
import type { HarnessConfig } from '../config/load-config.ts';
import { systemClock } from '../shared/clock.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { requireUrl } from './cli-urls.ts';
import { untilStopSignal } from './signals.ts';
import { createStatusLine } from './status-line.ts';

interface UrlFlags {
  readonly redisUrl?: string;
  readonly databaseUrl?: string;
}

async function withClients<T>(
  config: HarnessConfig,
  flags: UrlFlags,
  work: (redis: Redis, db: pg.Pool) => Promise<T>,
): Promise<T> {
  const redis = new Redis(requireUrl(flags.redisUrl, config.services.redisUrl, 'REDIS_URL', '--redis-url'), {
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  redis.on('error', () => undefined); // reported by the checks themselves
  try {
    return await withCliPool(config, flags.databaseUrl, (db) => work(redis, db));
  } finally {
    redis.disconnect();
  }
}

/** `tickstock monitor [--watch]`. */
export async function monitorCommand(
  config: HarnessConfig,
  flags: UrlFlags & { watch: boolean; interval: string; settle: string },
): Promise<void> {
  await withClients(config, flags, async (redis, db) => {
    const options = { windowMinutes: 60, settleMs: Number(flags.settle) * 1000 };
    const snapshot = () =>
      takeSnapshot({ db, redis, now: () => systemClock.now() }, options).then(renderSnapshot);
    if (!flags.watch) return console.log(await snapshot());
    const status = createStatusLine(0);
    let stop = false;
    void untilStopSignal().then(() => (stop = true));
    while (!stop) {
      status.update(await snapshot());
      await new Promise((resolve) => setTimeout(resolve, Number(flags.interval) * 1000));
    }
    status.done();
  });
}

/** `tickstock diagnose`: each finding with its fix; exit 1 on any failure. */
export async function diagnoseCommand(
  config: HarnessConfig,
  flags: UrlFlags & { maxHeartbeatAge: string; follow: string },
): Promise<number> {
  return withClients(config, flags, async (redis, db) => {
    const findings = await runDiagnosis(
      { redis, db, clock: systemClock, random: seededRandom(Math.floor(Date.now() % 2 ** 31)) },
      { maxHeartbeatAgeSeconds: Number(flags.maxHeartbeatAge), followMs: Number(flags.follow) * 1000 },
    );
    for (const f of findings) {
      console.log(`${f.ok ? 'ok  ' : 'FAIL'} ${f.check}: ${f.detail}`);
      if (f.fix) console.log(`     fix: ${f.fix}`);
    }
    const failed = findings.filter((f) => !f.ok).length;
    console.log(failed === 0 ? 'all checks passed' : `${failed} of ${findings.length} checks failed`);
    return failed === 0 ? 0 : 1;
  });
}
