import type pg from 'pg';
import { withCliPool } from './cli-pool.ts';
import { eventStatistics, findEvents, searchEvents, type EventRow } from '../bus/event-queries.ts';
import { renderTrace, traceFlow } from '../analysis/flow-trace.ts';
import { runCleanup } from '../bus/retention.ts';
import type { HarnessConfig } from '../config/load-config.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { systemClock } from '../shared/clock.ts';

export interface EventsFlags {
  readonly databaseUrl?: string;
  readonly json: boolean;
}

const withDb = <T>(
  config: HarnessConfig,
  flags: EventsFlags,
  work: (db: pg.Pool) => Promise<T>,
): Promise<T> => withCliPool(config, flags.databaseUrl, work);

function print(rows: readonly EventRow[], json: boolean): void {
  if (json) return rows.forEach((r) => console.log(JSON.stringify(r)));
  for (const r of rows)
    console.log(
      `${r.created_at.toISOString()}  ${r.channel.padEnd(26)} ${r.event_type.padEnd(34)} ${(r.source ?? '').padEnd(16)} ${r.correlation_id ?? '-'}`,
    );
  console.log(`${rows.length} event${rows.length === 1 ? '' : 's'}`);
}

const bad = (message: string, hint: string) => new HarnessError('CLI_BAD_OPTION', message, hint);

function date(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw bad(`--${name} ${value} is not a date-time.`, 'Write it as ISO 8601, e.g. 2025-09-17T12:00:00Z.');
  return d;
}

export interface EventsListFlags extends EventsFlags {
  readonly channel?: string;
  readonly type?: string;
  readonly source?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
}

export const eventsList = (config: HarnessConfig, f: EventsListFlags) =>
  withDb(config, f, async (db) =>
    print(
      await findEvents(db, {
        channel: f.channel,
        eventType: f.type,
        source: f.source,
        since: date(f.since, 'since'),
        until: date(f.until, 'until'),
        limit: f.limit,
      }),
      f.json,
    ),
  );

/** `tickstock events trace <flow_id>`: the flow from whichever sink holds it; exit 1 when none does. */
export const eventsTrace = (config: HarnessConfig, id: string, f: EventsFlags): Promise<number> =>
  withDb(config, f, async (db) => {
    if (!/^[0-9a-f-]{36}$/i.test(id))
      throw bad(`${id} is not a correlation id.`, 'Give the flow_id (a UUID) to trace.');
    const trace = await traceFlow(db, id.toLowerCase());
    if (f.json) {
      for (const step of trace.steps) console.log(JSON.stringify({ type: 'step', ...step }));
      console.log(
        JSON.stringify({
          type: 'summary',
          flowId: trace.flowId,
          steps: trace.steps.length,
          totalMs: trace.totalMs,
        }),
      );
    } else for (const line of renderTrace(trace)) console.log(line);
    return trace.steps.length === 0 ? ExitCode.problems : ExitCode.ok;
  });

export const eventsSearch = (config: HarnessConfig, fragment: string, f: EventsFlags & { limit: number }) =>
  withDb(config, f, async (db) => {
    let value: unknown;
    try {
      value = JSON.parse(fragment);
    } catch {
      value = undefined;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw bad(
        `${fragment} is not a JSON object.`,
        `Give what the data must contain, e.g. '{"symbol":"AAPL"}'.`,
      );
    print(await searchEvents(db, value, f.limit), f.json);
  });

export const eventsStats = (config: HarnessConfig, f: EventsFlags & { hours: number }) =>
  withDb(config, f, async (db) =>
    console.log(
      JSON.stringify(await eventStatistics(db, new Date(Date.now() - f.hours * 3_600_000)), null, 2),
    ),
  );

/** `tickstock events cleanup --now`: the retention cleanup, recorded as a system event like a scheduled run. */
export const eventsCleanup = (
  config: HarnessConfig,
  f: EventsFlags & { now: boolean; retentionDays?: number },
) =>
  withDb(config, f, async (db) => {
    if (!f.now)
      throw bad('cleanup runs daily beside the consumer; --now runs it here and now.', 'Add --now.');
    const retentionDays = f.retentionDays ?? config.events.retentionDays;
    const result = await runCleanup(
      db,
      { retentionDays, batchSize: config.events.cleanupBatchSize, at: config.events.cleanupAt },
      systemClock,
    );
    console.log(
      f.json
        ? JSON.stringify({ retentionDays, ...result })
        : result.ok
          ? `deleted ${result.deleted} events older than ${retentionDays} days in ${result.batches} batches (${result.durationMs.toFixed(0)} ms)`
          : `cleanup FAILED after deleting ${result.deleted}: ${result.error ?? ''}`,
    );
    if (!result.ok) process.exitCode = 1;
  });
