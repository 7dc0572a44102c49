import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { publishEvent } from '../../src/bus/event-publisher.ts';
import { traceCorrelation } from '../../src/bus/event-queries.ts';
import { ownServices, type Controllable } from '../support/own-services.ts';
import { runCli } from '../support/run-cli.ts';
import { withDeadline } from '../support/wait-for.ts';

const own = ownServices();
let postgres: Controllable;
let db: pg.Pool;
beforeAll(async () => {
  postgres = await own.postgres();
  db = new pg.Pool({ connectionString: postgres.url, max: 2, connectionTimeoutMillis: 2000 });
  db.on('error', () => undefined);
});
afterAll(() => db.end());

describe('the publisher retries transient database errors', () => {
  test('published while PostgreSQL restarts: it retries with backoff and the event lands once', async () => {
    await postgres.control.stop();
    const publishing = publishEvent(
      db,
      { channel: 'setup:created', eventType: 'setup.created', data: { ticker: 'RETRY' } },
      { attempts: 10, backoffMs: 100 },
    );
    await postgres.control.start();
    const published = await withDeadline(publishing, 30_000, 'the retried publish');
    expect((await traceCorrelation(db, published.correlationId!)).map((e) => e.event_type)).toEqual([
      'setup.created',
    ]);
  });

  test('a non-transient error is not retried: it fails at once', async () => {
    // Counts the attempts (each takes a connection) rather than timing them on a busy machine.
    let attempts = 0;
    const counted = {
      connect: () => {
        attempts += 1;
        return db.connect();
      },
    } as unknown as pg.Pool;
    await expect(
      publishEvent(
        counted,
        { channel: 'x', eventType: 'y', data: {}, correlationId: 'bad' },
        { attempts: 3, backoffMs: 1 },
      ),
    ).rejects.toMatchObject({
      code: '22P02',
    });
    expect(attempts).toBe(1);
  });
});

// Each command is a process that compiles the CLI with tsx (about 3 s of CPU when idle): the five are
// read-only, so they run together, and the deadlines leave room for a machine busy with other files.
const CLI_DEADLINE_MS = 60_000;

describe('tickstock events, from the command line', () => {
  test('list, trace, search and stats', { timeout: CLI_DEADLINE_MS + 15_000 }, async () => {
    const flow = await publishEvent(db, {
      channel: 'setup:created',
      eventType: 'setup.parsed',
      data: { ticker: 'CLI1' },
      source: 'parser',
    });
    await publishEvent(db, {
      channel: 'setup:created',
      eventType: 'setup.created',
      data: { ticker: 'CLI1' },
      correlationId: flow.correlationId,
    });
    const env = { DATABASE_URL: postgres.url };
    const run = async (...args: string[]) => {
      const r = runCli(['events', ...args], env);
      const code = await withDeadline(r.exited, CLI_DEADLINE_MS, `events ${args.join(' ')}`);
      return { code, output: r.output() };
    };
    const [list, trace, search, stats, bad] = await Promise.all([
      run('list', '--channel', 'setup:created', '--limit', '2'),
      run('trace', flow.correlationId!, '--json'),
      run('search', '{"ticker":"CLI1"}'),
      run('stats', '--hours', '1'),
      run('search', '[1,2]'),
    ]);
    for (const ok of [list, trace, search, stats]) expect(ok.code, ok.output).toBe(0);
    expect(list.output).toMatch(/setup\.created[\s\S]*2 events/);
    const records = trace.output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; name?: string; steps?: number });
    expect(records.filter((r) => r.type === 'step').map((r) => r.name)).toEqual([
      'setup.parsed',
      'setup.created',
    ]);
    expect(records.at(-1)).toMatchObject({ type: 'summary', steps: 2 });
    expect(search.output).toMatch(/2 events/);
    expect(JSON.parse(stats.output)).toMatchObject({
      byChannel: { 'setup:created': expect.any(Number) as number },
    });
    expect(bad.code, bad.output).toBe(2);
    expect(bad.output).toMatch(/is not a JSON object/);
  });
});
