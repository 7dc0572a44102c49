import { Redis } from 'ioredis';
import type pg from 'pg';
import { withCliPool } from './cli-pool.ts';
import { probeRedis } from '../services/service-probe.ts';
import { runDiagnosis } from '../analysis/diagnosis-checks.ts';
import { renderSnapshot, snapshotProblems, takeSnapshot } from '../analysis/monitor-snapshot.ts';
import type { HarnessConfig } from '../config/load-config.ts';
import { trackingObjects } from '../db/tracking-removal.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { systemClock } from '../shared/clock.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { requireUrl } from './cli-urls.ts';
import { untilStopSignal } from './signals.ts';
import { createStatusLine } from './status-line.ts';

interface UrlFlags {
  readonly redisUrl?: string;
  readonly databaseUrl?: string;
}

/** `probe`: a Redis that cannot be reached stops the command (exit 3); diagnose reports it as a finding. */
async function withClients<T>(
  config: HarnessConfig,
  flags: UrlFlags,
  work: (redis: Redis, db: pg.Pool) => Promise<T>,
  probe = true,
): Promise<T> {
  const url = requireUrl(flags.redisUrl, config.services.redisUrl, 'REDIS_URL', '--redis-url');
  if (probe) await probeRedis(url);
  const redis = new Redis(url, {
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

export interface MonitorFlags extends UrlFlags {
  readonly watch: boolean;
  readonly interval: number;
  readonly settle: number;
  readonly maxHeartbeatAge: number;
  readonly json: boolean;
}

export interface DiagnoseFlags extends UrlFlags {
  readonly maxHeartbeatAge: number;
  readonly follow: number;
  readonly json: boolean;
}

const tick = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/**
 * `tickstock monitor [--watch] [--json]`: resolves to the exit code of the last snapshot, 1 when it
 * shows problems (a missing or stale heartbeat, a channel without subscribers, a stopped flow).
 */
export async function monitorCommand(config: HarnessConfig, flags: MonitorFlags): Promise<number> {
  return withClients(config, flags, async (redis, db) => {
    if (!(await trackingObjects(db)).tableExists) throw trackingDropped();
    const options = { windowMinutes: 60, settleMs: flags.settle * 1000 };
    const check = async () => {
      const snapshot = await takeSnapshot({ db, redis, now: () => systemClock.now() }, options);
      const problems = snapshotProblems(snapshot, flags.maxHeartbeatAge);
      const text = flags.json
        ? JSON.stringify({ ...snapshot, ok: problems.length === 0, problems })
        : renderSnapshot(snapshot, problems);
      return { text, code: problems.length === 0 ? ExitCode.ok : ExitCode.problems };
    };
    if (!flags.watch) {
      const { text, code } = await check();
      console.log(text);
      return code;
    }
    let stop = false;
    void untilStopSignal().then(() => (stop = true));
    const status = flags.json ? undefined : createStatusLine(0);
    let last: number = ExitCode.ok;
    while (!stop) {
      const { text, code } = await check();
      if (status) status.update(text);
      else console.log(text); // --json --watch: one snapshot per line
      last = code;
      await tick(flags.interval);
    }
    status?.done();
    return last;
  });
}

const trackingDropped = () =>
  new HarnessError(
    'TRACKING_DROPPED',
    'tracking objects dropped: integration_events is not in this database.',
    'Run `tickstock db restore-tracking`, or follow flows on the events bus with `tickstock events trace <flow_id>`.',
    { exitCode: ExitCode.problems },
  );

/** `tickstock diagnose [--json]`: each finding with its fix; exit 1 on any failure. */
export async function diagnoseCommand(config: HarnessConfig, flags: DiagnoseFlags): Promise<number> {
  return withClients(
    config,
    flags,
    async (redis, db) => {
      const findings = await runDiagnosis(
        { redis, db, clock: systemClock, random: seededRandom(Math.floor(Date.now() % 2 ** 31)) },
        { maxHeartbeatAgeSeconds: flags.maxHeartbeatAge, followMs: flags.follow * 1000 },
      );
      const failed = findings.filter((f) => !f.ok).length;
      for (const f of findings) {
        if (flags.json) console.log(JSON.stringify({ type: 'finding', ...f }));
        else
          console.log(
            `${f.ok ? 'ok  ' : 'FAIL'} ${f.check}: ${f.detail}${f.fix ? `\n     fix: ${f.fix}` : ''}`,
          );
      }
      const summary = { checks: findings.length, passed: findings.length - failed, failed };
      console.log(
        flags.json
          ? JSON.stringify({ type: 'summary', ...summary })
          : failed === 0
            ? 'all checks passed'
            : `${failed} of ${findings.length} checks failed`,
      );
      return failed === 0 ? ExitCode.ok : ExitCode.problems;
    },
    false,
  );
}
