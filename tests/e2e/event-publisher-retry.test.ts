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
    const started = Date.now();
    await expect(
      publishEvent(
        db,
        { channel: 'x', eventType: 'y', data: {}, correlationId: 'bad' },
        { attempts: 10, backoffMs: 1000 },
      ),
    ).rejects.toMatchObject({
      code: '22P02',
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('tickstock events, from the command line', () => {
  test('list, trace, search and stats', async () => {
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
      expect(await withDeadline(r.exited, 20_000, `events ${args.join(' ')}`), r.output()).toBe(0);
      return r.output();
    };
    expect(await run('list', '--channel', 'setup:created', '--limit', '2')).toMatch(
      /setup\.created[\s\S]*2 events/,
    );
    const trace = await run('trace', flow.correlationId!, '--json');
    expect(
      trace
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { event_type: string }).event_type),
    ).toEqual(['setup.parsed', 'setup.created']);
    expect(await run('search', '{"ticker":"CLI1"}')).toMatch(/2 events/);
    expect(JSON.parse(await run('stats', '--hours', '1'))).toMatchObject({
      byChannel: { 'setup:created': expect.any(Number) as number },
    });
    const bad = runCli(['events', 'search', '[1,2]'], env);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/is not a JSON object/);
  });
});
