import type pg from 'pg';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { publishEvent } from './event-publisher.ts';

export interface RetentionOptions {
  readonly retentionDays: number;
  readonly batchSize: number;
  /** Local time of the daily run. */
  readonly at: { readonly hour: number; readonly minute: number };
}

export interface CleanupResult {
  readonly ok: boolean;
  readonly deleted: number;
  readonly batches: number;
  readonly durationMs: number;
  readonly error?: string;
}

/**
 * Deletes events older than the retention in batches (each its own short statement, so writers are
 * never blocked for long), then records the run as a `system` event (spec 003), failed runs included.
 */
export async function runCleanup(
  db: pg.Pool,
  options: RetentionOptions,
  clock: Clock,
): Promise<CleanupResult> {
  const started = clock.now();
  let deleted = 0;
  let batches = 0;
  let result: CleanupResult;
  try {
    for (;;) {
      const { rowCount } = await db.query(
        `DELETE FROM events WHERE id IN (
           SELECT id FROM events WHERE created_at < now() - make_interval(days => $1) LIMIT $2)`,
        [options.retentionDays, options.batchSize],
      );
      batches += 1;
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < options.batchSize) break;
    }
    result = { ok: true, deleted, batches, durationMs: clock.now() - started };
  } catch (error) {
    result = {
      ok: false,
      deleted,
      batches,
      durationMs: clock.now() - started,
      error: (error as Error).message,
    };
  }
  await publishEvent(db, {
    channel: 'system',
    eventType: result.ok ? 'system.info' : 'system.error',
    source: 'retention_cleanup',
    data: { action: 'retention_cleanup', retention_days: options.retentionDays, ...result },
  }).catch(() => undefined); // the database may be the reason it failed; the log line below stays
  return result;
}

/** The next local `at` time strictly after `now`. */
export function nextRunAt(now: Date, at: RetentionOptions['at']): Date {
  const next = new Date(now);
  next.setHours(at.hour, at.minute, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next;
}

/** Runs the cleanup daily at `options.at`, in the background; a failed run is recorded and tried again at the next. */
export function startRetentionScheduler(
  deps: { db: pg.Pool; clock: Clock; logger: Logger },
  options: RetentionOptions,
) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<CleanupResult> | undefined;
  const runNow = (): Promise<CleanupResult> => {
    running ??= runCleanup(deps.db, options, deps.clock)
      .then((r) => {
        if (r.ok) deps.logger.info({ ...r }, 'events retention cleanup done');
        else
          deps.logger.error({ ...r }, 'events retention cleanup failed; it runs again at the next schedule');
        return r;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const schedule = (): void => {
    const now = new Date(deps.clock.now());
    timer = setTimeout(
      () => {
        void runNow().finally(schedule);
      },
      nextRunAt(now, options.at).getTime() - now.getTime(),
    );
    timer.unref();
  };
  schedule();
  return {
    runNow,
    nextRun: (): Date => nextRunAt(new Date(deps.clock.now()), options.at),
    stop: async (): Promise<void> => {
      clearTimeout(timer);
      await running;
    },
  };
}
