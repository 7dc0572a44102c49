import { readdir, readFile } from 'node:fs/promises';
import { runTempDir } from '../support/temp-dir.ts';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Alert, ClientError } from '../../src/contract/schemas/client-payloads.ts';
import { ErrorFileLog } from '../../src/consumer/errors/error-file-log.ts';
import { errorMessage, collect, publishError } from '../support/error-messages.ts';
import { startFlowRig, type FlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';
import { pollUntil } from '../support/wait-for.ts';

const services = useIsolatedServices();
const db = usePool(services);

const storedIds = async (ids: readonly string[]) =>
  (
    await db.query<{ error_id: string }>(
      'SELECT error_id FROM error_logs WHERE error_id = ANY($1) ORDER BY error_id',
      [ids],
    )
  ).rows.map((r) => r.error_id);

/** Publishes `messages`, then a warning sentinel, and resolves once the sentinel reached /monitoring: all before it was handled. */
async function publishAndSettle(
  rig: FlowRig,
  monitored: ClientError[],
  messages: readonly unknown[],
): Promise<void> {
  for (const m of messages) await publishError(rig.redis, m);
  const sentinel = errorMessage({ severity: 'warning', category: 'unknown', error_message: 'sentinel' });
  await publishError(rig.redis, sentinel);
  await pollUntil(() => monitored.some((e) => e.id === sentinel.error_id || e.count !== undefined), {
    timeoutMs: 5000,
    what: 'the sentinel warning on /monitoring',
  });
}

describe('routing by severity (spec 004 §2)', () => {
  test('debug: nothing; info: logged; warning: logged + broadcast; error: + stored; critical: + critical_error on /', async () => {
    const logPath = join(await runTempDir('log-'), 'tickstock_errors.log');
    const rig = await startFlowRig(services, {
      errors: { fileLog: { enabled: true, path: logPath, maxSize: 1_000_000, backupCount: 2 } },
    });
    try {
      const [monitor, browser] = [await rig.monitor(), await rig.browser()];
      const monitored = collect<ClientError>(monitor, 'tickstock_error');
      const critical = collect<ClientError>(browser, 'critical_error');
      const bySeverity = (['debug', 'info', 'warning', 'error', 'critical'] as const).map((severity) =>
        errorMessage({ severity, error_message: `a ${severity} message`, symbol: 'MSFT' }),
      );
      await publishAndSettle(rig, monitored, bySeverity);
      const ids = bySeverity.map((m) => m.error_id);
      expect(monitored.filter((e) => ids.includes(e.id)).map((e) => e.severity)).toEqual([
        'warning',
        'error',
        'critical',
      ]);
      expect(monitored.find((e) => e.severity === 'critical')).toEqual({
        id: ids[4],
        type: 'PatternDetectionError',
        message: 'a critical message',
        severity: 'critical',
        category: 'pattern',
        symbol: 'MSFT',
        component: 'PatternDetector',
        timestamp: expect.stringMatching(/Z$/) as string,
      });
      await pollUntil(() => critical.length === 1, { timeoutMs: 5000, what: 'critical_error on /' });
      expect(critical[0]?.id).toBe(ids[4]);
      await pollUntil(async () => (await storedIds(ids)).length === 2, {
        timeoutMs: 5000,
        what: 'two stored rows',
      });
      expect(await storedIds(ids)).toEqual([ids[3], ids[4]].sort());
      await pollUntil(
        async () =>
          (await readFile(logPath, 'utf8').catch(() => '')).split('\n').filter(Boolean).length === 5,
        {
          timeoutMs: 5000,
          what: 'five log lines (four severities and the sentinel)',
        },
      );
      const lines = (await readFile(logPath, 'utf8')).split('\n').filter(Boolean);
      expect(lines.slice(0, 4).map((l) => / - tickstock\.error_monitor - (\w+) - /.exec(l)?.[1])).toEqual([
        'INFO',
        'WARNING',
        'ERROR',
        'CRITICAL',
      ]);
      expect(lines[2]).toMatch(
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - tickstock\.error_monitor - ERROR - \[pattern\] PatternDetectionError: a error message \(Symbol: MSFT\)$/,
      );
    } finally {
      await rig.close();
    }
  });

  test('invalid error messages are rejected with their violations and counted, never stored', async () => {
    const rig = await startFlowRig(services);
    try {
      const monitor = await rig.monitor();
      const monitored = collect<ClientError>(monitor, 'tickstock_error');
      const bad = { ...errorMessage(), severity: 'fatal' };
      await publishAndSettle(rig, monitored, [bad, '{not json', { error_id: 'only-an-id' }]);
      expect(rig.consumer.health().errors).toMatchObject({ rejected: 3 });
      expect(
        rig.lines.filter((l) => l['msg'] === 'message rejected' && l['channel'] === 'tickstock:errors'),
      ).toHaveLength(3);
      await rig.consumer.close();
      expect(await storedIds([bad.error_id, 'only-an-id'])).toEqual([]);
    } finally {
      await rig.close();
    }
  });

  test('a duplicate delivery of one error_id leaves one row', async () => {
    const rig = await startFlowRig(services);
    try {
      const monitored = collect<ClientError>(await rig.monitor(), 'tickstock_error');
      const message = errorMessage();
      await publishAndSettle(rig, monitored, [message, message, message]);
      await rig.consumer.close();
      expect(await storedIds([message.error_id]), JSON.stringify(rig.consumer.health().errors)).toEqual([
        message.error_id,
      ]);
      expect(rig.consumer.health().errors.storage).toMatchObject({ stored: 1, duplicates: 2 });
    } finally {
      await rig.close();
    }
  });
});

describe('file log rotation (LOG_FILE_MAX_SIZE, LOG_FILE_BACKUP_COUNT)', () => {
  test('at the size limit the file rotates and exactly the backup count is kept', async () => {
    const dir = await runTempDir('rotate-');
    const log = new ErrorFileLog({
      enabled: true,
      path: join(dir, 'errors.log'),
      maxSize: 2048,
      backupCount: 3,
    });
    for (let i = 0; i < 200; i += 1) log.write(errorMessage({ error_message: `message ${i}` }), new Date());
    await log.close();
    expect((await readdir(dir)).sort()).toEqual([
      'errors.log',
      'errors.log.1',
      'errors.log.2',
      'errors.log.3',
    ]);
    for (const name of ['errors.log.1', 'errors.log.2', 'errors.log.3']) {
      const size = (await readFile(join(dir, name))).length;
      expect(size).toBeGreaterThanOrEqual(2048);
      expect(size).toBeLessThan(2048 + 300); // rotated right after the record that crossed the limit
    }
  });
});

describe('broadcast throttling (spec 004 risk 4)', () => {
  test('at most 10 broadcasts a second; the rest as "N similar errors"; every critical on its own', async () => {
    const rig = await startFlowRig(services);
    try {
      const [monitor, browser] = [await rig.monitor(), await rig.browser()];
      const monitored = collect<ClientError>(monitor, 'tickstock_error');
      const criticalOnMain = collect<ClientError>(browser, 'critical_error');
      const burst = Array.from({ length: 40 }, (_, i) =>
        errorMessage({
          severity: i % 10 === 5 ? 'critical' : 'error',
          category: i % 2 === 0 ? 'network' : 'indicator',
        }),
      );
      const criticals = burst.filter((m) => m.severity === 'critical').map((m) => m.error_id);
      const arrivals: { at: number; aggregate: boolean }[] = [];
      monitor.on('tickstock_error', (e) =>
        arrivals.push({ at: Date.now(), aggregate: e.count !== undefined }),
      );
      for (const m of burst) await publishError(rig.redis, m);
      await pollUntil(() => monitored.reduce((n, e) => n + (e.count ?? 1), 0) >= 40, {
        timeoutMs: 5000,
        what: 'all 40 errors, one way or another',
      });
      const individual = monitored.filter((e) => e.count === undefined);
      const aggregates = monitored.filter((e) => e.count !== undefined);
      // The first second's budget of 10, criticals included; later criticals still go out on their own.
      expect(individual.filter((e) => e.severity !== 'critical').length).toBeLessThanOrEqual(10);
      expect(
        individual
          .filter((e) => e.severity === 'critical')
          .map((e) => e.id)
          .sort(),
      ).toEqual([...criticals].sort());
      expect(aggregates.length).toBeGreaterThan(0);
      for (const a of aggregates)
        expect(a.message).toMatch(/^\d+ similar error errors \((network|indicator)\) in the last second/);
      expect(individual.length + aggregates.reduce((n, a) => n + (a.count ?? 0), 0)).toBe(40);
      // Summaries go out when the second is over, as the next second's first broadcasts.
      const first = arrivals[0]!.at;
      for (const a of arrivals.filter((x) => x.aggregate)) expect(a.at - first).toBeGreaterThanOrEqual(900);
      await pollUntil(() => criticalOnMain.length === criticals.length, {
        timeoutMs: 5000,
        what: 'every critical on /',
      });
    } finally {
      await rig.close();
    }
  });
});

describe('alert thresholds (spec 004): each fires once, and only when crossed', () => {
  const run = async (
    messages: (i: number) => ReturnType<typeof errorMessage>,
    counts: number[],
    rule: string,
  ) => {
    const rig = await startFlowRig(services, { errors: { broadcastPerSecond: 10_000 } });
    try {
      const monitor = await rig.monitor();
      const monitored = collect<ClientError>(monitor, 'tickstock_error');
      const alerts = collect<Alert>(monitor, 'alert');
      const seen: number[] = [];
      let i = 0;
      for (const upTo of counts) {
        const batch = [];
        for (; i < upTo; i += 1) batch.push(messages(i));
        await publishAndSettle(rig, monitored, batch);
        seen.push(alerts.filter((a) => a.rule === rule).length);
      }
      return { seen, alerts, lines: rig.lines };
    } finally {
      await rig.close();
    }
  };
  const spread = ['indicator', 'network', 'validation', 'performance', 'configuration', 'unknown'] as const;

  test('more than 10 errors a minute: nothing at 10, one alert at 11, none more at 20', async () => {
    const { seen, lines } = await run(
      (i) => errorMessage({ category: spread[i % spread.length]! }),
      [10, 11, 20],
      'error_rate',
    );
    expect(seen).toEqual([0, 1, 1]);
    expect(
      lines.some((l) => String(l['msg']).startsWith('ALERT error_rate: 11 errors in the last minute')),
    ).toBe(true);
  });

  test('more than 5 in one category within 5 minutes', async () => {
    const { seen } = await run(() => errorMessage({ category: 'network' }), [5, 6, 9], 'category_burst');
    expect(seen).toEqual([0, 1, 1]);
  });

  test('more than 3 pattern failures for one symbol', async () => {
    const { seen, alerts } = await run(
      (i) => errorMessage({ category: 'pattern', symbol: i < 5 ? 'NVDA' : 'TSLA' }),
      [3, 4, 5],
      'symbol_pattern_failures',
    );
    expect(seen).toEqual([0, 1, 1]);
    expect(alerts.find((a) => a.rule === 'symbol_pattern_failures')?.message).toMatch(/failures for NVDA/);
  });

  test('any critical, and any database error: the first fires, repeats within the window do not', async () => {
    const critical = await run(
      () => errorMessage({ severity: 'critical', category: 'unknown' }),
      [1, 2],
      'critical',
    );
    expect(critical.seen).toEqual([1, 1]);
    const database = await run(() => errorMessage({ category: 'database' }), [1, 3], 'database_error');
    expect(database.seen).toEqual([1, 1]);
  });
});
