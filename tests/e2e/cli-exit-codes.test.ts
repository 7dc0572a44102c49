import { describe, expect, test } from 'vitest';
import { useIsolatedServices, usePool } from '../support/isolated-services.ts';
import { runCli } from '../support/run-cli.ts';
import { withDeadline } from '../support/wait-for.ts';

// README "Exit codes": 0 ok, 1 found problems, 2 usage or configuration, 3 a service unreachable
// or refusing credentials. Each row: the command line, the exit code, the first line of the message.
const services = useIsolatedServices();
const DEAD_REDIS = 'redis://127.0.0.1:1';
const DEAD_PG = 'postgres://tickstock:secret@127.0.0.1:1/tickstock';
const wrongPassword = () => {
  const url = new URL(services.databaseUrl);
  url.password = 'not-the-password';
  return url.toString();
};
// Failing fast means seconds, never a hang: each row has this long, start-up of the CLI included.
const FAST_MS = 30_000;

interface Row {
  readonly args: () => readonly string[];
  readonly exit: number;
  readonly first: RegExp;
  readonly env?: () => Record<string, string>;
}

const usage = (option: string) => new RegExp(`^tickstock: \\[CLI_USAGE\\] .*${option}`);
const USAGE: Readonly<Record<string, Row>> = {
  'unknown command': {
    args: () => ['bogus'],
    exit: 2,
    first: /^tickstock: \[CLI_USAGE\] unknown command 'bogus'/,
  },
  'unknown option': { args: () => ['sim', '--bogus'], exit: 2, first: /unknown option '--bogus'/ },
  'missing argument': { args: () => ['events', 'trace'], exit: 2, first: /missing required argument/ },
  'sim --rate abc': {
    args: () => ['sim', '--rate', 'abc'],
    exit: 2,
    first: usage("--rate.*'abc'.*not a number"),
  },
  'sim --rate -5': { args: () => ['sim', '--rate', '-5'], exit: 2, first: usage('--rate.*greater than 0') },
  'sim --rate 0': { args: () => ['sim', '--rate', '0'], exit: 2, first: usage('--rate.*greater than 0') },
  'sim --rate 1e9': { args: () => ['sim', '--rate', '1e9'], exit: 2, first: usage('--rate.*at most') },
  'sim --count 0': { args: () => ['sim', '--count', '0'], exit: 2, first: usage('--count.*1 to') },
  'sim --count abc': {
    args: () => ['sim', '--count', 'abc'],
    exit: 2,
    first: usage('--count.*not a number'),
  },
  'sim --count 2.5': {
    args: () => ['sim', '--count', '2.5'],
    exit: 2,
    first: usage('--count.*whole number'),
  },
  'sim --duration 0': { args: () => ['sim', '--duration', '0'], exit: 2, first: usage('--duration') },
  'sim --seed abc': { args: () => ['sim', '--seed', 'abc'], exit: 2, first: usage('--seed.*not a number') },
  'sim --scenario tsunami': {
    args: () => ['sim', '--scenario', 'tsunami'],
    exit: 2,
    first: usage('--scenario.*steady, ramp, burst, soak'),
  },
  'sim errors --rate abc': {
    args: () => ['sim', 'errors', '--rate', 'abc'],
    exit: 2,
    first: usage('--rate'),
  },
  'demo --rate abc': { args: () => ['demo', '--rate', 'abc'], exit: 2, first: usage('--rate') },
  'demo --duration 0': { args: () => ['demo', '--duration', '0'], exit: 2, first: usage('--duration') },
  'demo --seed abc': { args: () => ['demo', '--seed', 'abc'], exit: 2, first: usage('--seed') },
  'consumer --port abc': { args: () => ['consumer', '--port', 'abc'], exit: 2, first: usage('--port') },
  'monitor --watch --interval 0': {
    args: () => ['monitor', '--watch', '--interval', '0'],
    exit: 2,
    first: usage('--interval'),
  },
  'events list --limit abc': {
    args: () => ['events', 'list', '--limit', 'abc'],
    exit: 2,
    first: usage('--limit'),
  },
  'validate --channel nope': {
    args: () => ['validate', '--channel', 'nope', 'fixtures/events'],
    exit: 2,
    first: usage('--channel.*nope.*tickstock.events.patterns'),
  },
  'consumer --port 70000': { args: () => ['consumer', '--port', '70000'], exit: 2, first: usage('--port') },
  'run --threshold with a misspelt metric': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--threshold', 'publish_to_clent.p99 < 100'],
    exit: 2,
    first: /^tickstock: \[RUN_THRESHOLD\] threshold 'publish_to_clent\.p99 < 100': unknown metric/,
  },
  'run --profile tickstockappv3': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--profile', 'tickstockappv3'],
    exit: 2,
    first:
      /^tickstock: \[CLI_USAGE\] profile tickstockappv3 \(--profile or profile: in the scenario\): no such consumer profile/,
  },
  'run --browsers with a profile that names no page': {
    args: () => [
      'run',
      '--socketio-url',
      'http://127.0.0.1:1',
      '--profile',
      'tickstockappv2',
      '--browsers',
      '2',
    ],
    exit: 2,
    first:
      /^tickstock: \[RUN_BROWSERS\] --browsers 2 \(clients\.browsers\): profile tickstockappv2 names no page/,
  },
  'run --browsers 51': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--browsers', '51'],
    exit: 2,
    first: usage('--browsers'),
  },
  'run with a scenario file that has a typo': {
    args: () => ['run', 'fixtures/scenarios/typo.yaml'],
    exit: 2,
    first: /^tickstock: \[RUN_SCENARIO\] fixtures\/scenarios\/typo\.yaml is not a valid scenario:/,
  },
  'run --stage with a typo': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--stage', 'ramp,rate=10,secnds=5'],
    exit: 2,
    first:
      /^tickstock: \[RUN_STAGE\] --stage ramp,rate=10,secnds=5: .*unknown key 'secnds' \(did you mean 'seconds'\?\)/,
  },
  'sim --profile tickstockappv3': {
    args: () => ['sim', '--profile', 'tickstockappv3'],
    exit: 2,
    first: /^tickstock: \[CLI_USAGE\] --profile tickstockappv3: no such consumer profile/,
  },
  'sim errors --profile specc': {
    args: () => ['sim', 'errors', '--profile', 'specc'],
    exit: 2,
    first: /^tickstock: \[CLI_USAGE\] --profile specc: no such consumer profile/,
  },
  'validate --profile al': {
    args: () => ['validate', '--profile', 'al', 'fixtures/events'],
    exit: 2,
    first: /^tickstock: \[CLI_USAGE\] --profile al: no such consumer profile/,
  },
  'run --out csv=x': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--out', 'csv=x'],
    exit: 2,
    first: /^tickstock: \[CLI_USAGE\] --out csv=x: not an output/,
  },
  // A header may hold a credential: the message names the flag, never the value.
  'run --header without a colon': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--header', 'Authorization Bearer sekrit'],
    exit: 2,
    first: /^(?!.*sekrit)tickstock: \[CLI_USAGE\] --header \(number 1\): not 'Name: value'/,
  },
  'run --baseline that does not exist': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--baseline', 'reports/no-such-run.json'],
    exit: 2,
    first:
      /^tickstock: \[RUN_BASELINE\] --baseline reports\/no-such-run\.json: cannot read the file \(ENOENT\)/,
  },
  'run --baseline that is not a run report': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--baseline', 'package.json'],
    exit: 2,
    first:
      /^tickstock: \[RUN_BASELINE\] --baseline package\.json: not a tickstock run report \("schema" is missing/,
  },
  'run --baseline that is not JSON': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--baseline', 'fixtures/scenarios/typo.yaml'],
    exit: 2,
    first: /^tickstock: \[RUN_BASELINE\] --baseline fixtures\/scenarios\/typo\.yaml: not JSON/,
  },
  'run --baseline-tolerance abc': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--baseline-tolerance', 'abc'],
    exit: 2,
    first: usage('--baseline-tolerance.*not a number'),
  },
  'run --baseline-tolerance-ms without --baseline': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--baseline-tolerance-ms', '2'],
    exit: 2,
    first: /^tickstock: \[RUN_BASELINE\] a baseline tolerance was given, but no baseline to compare with/,
  },
  'run --start reference with --socketio-url': {
    args: () => ['run', '--start', 'reference', '--socketio-url', 'http://127.0.0.1:1'],
    exit: 2,
    first:
      /^tickstock: \[CLI_USAGE\] --start reference starts its own services and consumer, but --socketio-url was given too/,
  },
  'run --start reference with --redis-cluster': {
    args: () => ['run', '--start', 'reference', '--redis-cluster', '127.0.0.1:7000'],
    exit: 2,
    first:
      /^tickstock: \[CLI_USAGE\] --start reference starts its own services and consumer, but --redis-cluster was given too/,
  },
  'run --consumers without --start reference': {
    args: () => ['run', '--socketio-url', 'http://127.0.0.1:1', '--consumers', '2'],
    exit: 2,
    first:
      /^tickstock: \[CLI_USAGE\] --consumers starts a group of reference consumers, so it needs --start reference/,
  },
  'sim --redis-cluster with a node that is not host:port': {
    args: () => ['sim', '--redis-cluster', '127.0.0.1:7000,nohost'],
    exit: 2,
    first: usage('--redis-cluster.*host:port.*"nohost" is not host:port'),
  },
  'run --start nginx': {
    args: () => ['run', '--start', 'nginx'],
    exit: 2,
    first: /^tickstock: \[CLI_USAGE\] --start nginx: nothing of that name to start/,
  },
  'run without --socketio-url': {
    args: () => ['run'],
    exit: 2,
    first: /^tickstock: \[CLI_USAGE\] No consumer to measure: --socketio-url is missing/,
  },
  'sim without REDIS_URL': {
    args: () => ['sim', '--no-db', '--count', '1'],
    exit: 2,
    first: /^tickstock: \[CLI_URL_MISSING\] No REDIS_URL given/,
  },
};

const unreachable = (what: string) =>
  new RegExp(`^tickstock: \\[SERVICES_UNREACHABLE\\] ${what} at .* cannot be reached`);
const refused =
  /^tickstock: \[SERVICES_REFUSED\] PostgreSQL at postgres:\/\/.*:\*\*\*@.* refused the connection/;
const SERVICE: Readonly<Record<string, Row>> = {
  'sim with unreachable Redis': {
    args: () => ['sim', '--redis-url', DEAD_REDIS, '--database-url', services.databaseUrl, '--count', '5'],
    exit: 3,
    first: unreachable('Redis'),
  },
  'sim once with unreachable Redis': {
    args: () => ['sim', 'once', '--no-db', '--redis-url', DEAD_REDIS],
    exit: 3,
    first: unreachable('Redis'),
  },
  'sim errors with unreachable Redis': {
    args: () => ['sim', 'errors', '--redis-url', DEAD_REDIS, '--count', '1'],
    exit: 3,
    first: unreachable('Redis'),
  },
  'sim once with unreachable PostgreSQL': {
    args: () => ['sim', 'once', '--redis-url', services.redisUrl, '--database-url', DEAD_PG],
    exit: 3,
    first: unreachable('PostgreSQL'),
  },
  'sim once with a wrong password': {
    args: () => ['sim', 'once', '--redis-url', services.redisUrl, '--database-url', wrongPassword()],
    exit: 3,
    first: refused,
  },
  'events list with unreachable PostgreSQL': {
    args: () => ['events', 'list', '--database-url', DEAD_PG],
    exit: 3,
    first: unreachable('PostgreSQL'),
  },
  'events stats with a wrong password': {
    args: () => ['events', 'stats', '--database-url', wrongPassword()],
    exit: 3,
    first: refused,
  },
  'db drop-tracking with a wrong password': {
    args: () => ['db', 'drop-tracking', '--database-url', wrongPassword()],
    exit: 3,
    first: refused,
  },
  'monitor with unreachable Redis': {
    args: () => ['monitor', '--redis-url', DEAD_REDIS, '--database-url', services.databaseUrl],
    exit: 3,
    first: unreachable('Redis'),
  },
  'run with an unreachable Socket.IO': {
    args: () => ['run', '--no-db', '--redis-url', services.redisUrl, '--socketio-url', 'http://127.0.0.1:1'],
    exit: 3,
    first:
      /^tickstock: \[SERVICES_UNREACHABLE\] Socket\.IO at http:\/\/127\.0\.0\.1:1\/ refused or did not answer/,
  },
  'monitor with unreachable PostgreSQL': {
    args: () => ['monitor', '--redis-url', services.redisUrl, '--database-url', DEAD_PG],
    exit: 3,
    first: unreachable('PostgreSQL'),
  },
};

async function check(row: Row): Promise<string> {
  const run = runCli(row.args(), row.env?.() ?? {});
  const code = await withDeadline(run.exited, FAST_MS, `tickstock ${row.args().join(' ')} to exit`);
  const firstLine = run.output().split('\n')[0] ?? '';
  expect(code, run.output()).toBe(row.exit);
  expect(firstLine, run.output()).toMatch(row.first);
  return run.output();
}

describe.concurrent('usage and configuration errors: exit 2, before any work', () => {
  test.each(Object.entries(USAGE))('%s', async (_, row) => {
    const output = await check(row);
    expect(output).not.toMatch(/\n\s+at /); // never a stack trace
  });
});

describe.concurrent('services that cannot be reached or refuse us: exit 3, in seconds', () => {
  test.each(Object.entries(SERVICE))('%s', async (_, row) => {
    const output = await check(row);
    expect(output).not.toMatch(/\n\s+at /);
    expect(output).not.toContain('not-the-password');
  });
});

describe('outcomes are exit codes', () => {
  const db = usePool(services);

  test('sim that found no subscriber: exit 1, and nothing recorded for an unsent event', async () => {
    const before = await db.query<{ n: string }>('SELECT count(*) AS n FROM integration_events');
    const output = await check({
      args: () => ['sim', '--redis-url', DEAD_REDIS, '--database-url', services.databaseUrl, '--count', '5'],
      exit: 3,
      first: unreachable('Redis'),
    });
    expect(output).not.toMatch(/sent \d+ pattern events/);
    const after = await db.query<{ n: string }>('SELECT count(*) AS n FROM integration_events');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);

    const run = runCli(['sim', '--count', '5', '--rate', '100', '--no-db', '--redis-url', services.redisUrl]);
    expect(await withDeadline(run.exited, FAST_MS, 'sim to exit')).toBe(1);
    expect(run.output()).toMatch(/result: PROBLEMS: 5 events reached no subscriber \(exit 1\)/);
  });

  test('sim once whose event nobody received: exit 1', async () => {
    const run = runCli(['sim', 'once', '--no-db', '--redis-url', services.redisUrl]);
    expect(await withDeadline(run.exited, FAST_MS, 'sim once to exit')).toBe(1);
    expect(run.output()).toMatch(/published to 0 subscribers \(nobody is listening/);
  });

  test('a monitor on a database without the schema: exit 2 naming the fix', async () => {
    const url = new URL(services.databaseUrl);
    url.pathname = '/postgres';
    const output = await check({
      args: () => ['events', 'list', '--database-url', url.toString()],
      exit: 2,
      first: /^tickstock: \[SCHEMA_MISSING\]/,
    });
    expect(output).toMatch(/tickstock db migrate/);
  });

  test("validate --profile: a spec 004 error passes the spec but not tickstockappv2 (exit 1); appv2's own shape passes it (exit 0)", async () => {
    const errors = (dir: string) => `fixtures/${dir}/tickstock:errors`;
    const [both, appv2] = [
      runCli(['validate', '--profile', 'all', '--channel', 'tickstock:errors', errors('events/valid')]),
      runCli([
        'validate',
        '--profile',
        'tickstockappv2',
        '--channel-from-dir',
        errors('profiles/tickstockappv2/valid'),
      ]),
    ];
    expect(await withDeadline(both.exited, FAST_MS, 'validate --profile all to exit')).toBe(1);
    expect(both.output()).toMatch(
      /spec-004-s1-example\.json: spec ✓ valid error · tickstockappv2 ✗ 2 violations/,
    );
    expect(both.output()).toMatch(
      /tickstockappv2: \$\.source \[MISSING_FIELD\] expected a string \(required by TickStockAppV2/,
    );
    expect(both.output()).toMatch(
      /: 0 passed, 7 failed \(spec: 7 passed, 0 failed; tickstockappv2: 0 passed, 7 failed\)\n$/,
    );
    expect(
      await withDeadline(appv2.exited, FAST_MS, 'validate --profile tickstockappv2 to exit'),
      appv2.output(),
    ).toBe(0);
    expect(appv2.output()).toMatch(/appv2-own-shape\.json: tickstockappv2 ✓ valid error/);
  });

  test('--version prints the package version, exit 0', async () => {
    const output = await check({ args: () => ['--version'], exit: 0, first: /^\d+\.\d+\.\d+$/ });
    expect(output.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
