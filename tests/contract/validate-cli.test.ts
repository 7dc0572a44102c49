import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  splitMessages,
  validateCommand,
  type ValidateCommandOptions,
} from '../../src/cli/validate-command.ts';
import { CONSUMER_PROFILES } from '../../src/contract/consumer-profiles.ts';
import { PACKAGE_ROOT } from '../../src/shared/package-root.ts';
import { FIXTURES_DIR, invalidFixtures, validFixtures } from '../support/fixtures.ts';
import { readJUnit } from '../support/junit-schema.ts';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
}

/** The real command, as a producer team's CI runs it. */
async function tickstock(args: readonly string[], stdin?: Buffer): Promise<Run> {
  const child = spawn(process.execPath, ['bin/tickstock.js', ...args], {
    cwd: PACKAGE_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stdin.end(stdin);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout };
}

interface VerdictRecord {
  readonly type: 'verdict';
  readonly file: string;
  readonly ok: boolean;
  readonly violations?: readonly { code: string; path: string }[];
}
interface SummaryRecord {
  readonly type: 'summary';
  readonly files: number;
  readonly messages: number;
  readonly passed: number;
  readonly failed: number;
}

const all = [
  ...validFixtures().map((f) => ({ f, ok: true })),
  ...invalidFixtures().map((f) => ({ f, ok: false })),
];

describe('tickstock validate over the fixtures directory, every verdict from one process', () => {
  let dir: string;
  let run: Run;
  let records: (VerdictRecord | SummaryRecord)[];
  const verdictOf = (file: string) =>
    records.find((r): r is VerdictRecord => r.type === 'verdict' && r.file === file);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'validate-cli-'));
    const args = ['--json', '--channel-from-dir', '--junit', join(dir, 'report.xml')];
    run = await tickstock(['validate', FIXTURES_DIR, ...args]);
    records = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as VerdictRecord | SummaryRecord);
  }, 30_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test.each(all.map(({ f, ok }) => [relative(FIXTURES_DIR, f.file), f, ok] as const))(
    '%s',
    (_, fixture, ok) => {
      const verdict = verdictOf(fixture.file);
      expect(verdict?.ok).toBe(ok);
      if ('code' in fixture) expect(verdict?.violations?.map((v) => v.code)).toContain(fixture.code);
    },
  );

  test('one verdict per fixture, then a summary record; exit 1 because some are invalid', () => {
    const invalid = all.filter((a) => !a.ok).length;
    expect(records.slice(0, -1)).toHaveLength(all.length);
    expect(records.at(-1)).toEqual({
      type: 'summary',
      files: all.length,
      messages: all.length,
      passed: all.length - invalid,
      failed: invalid,
    });
    expect(run.code).toBe(1);
  });

  test('the JUnit report: a test case per fixture, a failure for each invalid one', async () => {
    const xml = await readJUnit(join(dir, 'report.xml'));
    const invalid = all.filter((a) => !a.ok).length;
    expect(xml.match(/<testcase /g)).toHaveLength(all.length);
    expect(xml.match(/<failure /g)).toHaveLength(invalid);
    expect(xml).toMatch(new RegExp(`<testsuites name="tickstock validate" tests="${all.length}" failures="${invalid}">`));
    expect(xml).toMatch(
      /<testcase classname="[^"]*no-channel" name="UNKNOWN_MESSAGE@event_type@unknown-event-type\.json">\s*<failure message="1 violation" type="UNKNOWN_MESSAGE">/,
    );
  });
});

describe('exit codes and input forms', () => {
  const lines = (objects: unknown[]) => Buffer.from(objects.map((o) => JSON.stringify(o)).join('\n') + '\n');
  const valid = () => JSON.parse(validFixtures()[0]!.bytes.toString('utf8')) as unknown;
  const captured = () => {
    const out: string[] = [];
    return { out, io: { readStdin: () => Promise.resolve(lines([valid(), { a: 1 }])), write: (l: string) => void out.push(l) } };
  };
  // The processes start together: each spends seconds loading the CLI, little validating.
  let ok: Promise<Run>;
  let unreadable: Promise<Run>;
  let deep: Promise<Run>;
  beforeAll(() => {
    deep = tickstock(['validate', '-'], Buffer.from('['.repeat(20_000) + ']'.repeat(20_000)));
    ok = tickstock(['validate', '-', 'fixtures/events/valid', '--channel-from-dir'], lines([valid(), valid()]));
    unreadable = tickstock(['validate', 'fixtures/events/valid', '/nonexistent/dir']);
  });

  test('standard input and a directory of valid messages: a verdict each, a summary line, exit 0', async () => {
    const run = await ok;
    const n = validFixtures().length + 2;
    expect(run.stdout).toMatch(/^✓ stdin:1: valid backtest_progress\n✓ stdin:2: /);
    expect(run.stdout).toMatch(/✓ fixtures\/events\/valid\/tickstock\.events\.patterns\/\S+: valid pattern_detected/);
    expect(run.stdout).toMatch(new RegExp(`${n} messages in ${n - 1} files: ${n} passed, 0 failed\\n$`));
    expect(run.code).toBe(0);
  }, 30_000);

  test('an invalid line: its violations with the fix, the count in the summary, exit 1', async () => {
    const { out, io } = captured();
    expect(await validateCommand(['-'], { json: false }, io)).toBe(1);
    expect(out[0]).toBe('✓ stdin:1: valid backtest_progress');
    expect(out[1]).toBe('✗ stdin:2: 1 violation');
    expect(out[2]).toMatch(/^ {4}\$\.event_type \[UNKNOWN_MESSAGE\] expected /);
    expect(out.at(-1)).toBe('2 messages: 1 passed, 1 failed');
  });

  test('a 20,000-deep array is a violation (exit 1 with its verdict), not a crash', async () => {
    const run = await deep;
    expect(run.stdout).toMatch(/^✗ stdin: 1 violation\n {4}\$(\[0\]){32} \[TOO_DEEP\] /);
    expect(run.stdout).toMatch(/1 messages?: 0 passed, 1 failed\n$/);
    expect(run.code).toBe(1);
  }, 30_000);

  test('an unreadable path is a usage error with a code, exit 2, not a crash', async () => {
    const { io } = captured();
    await expect(validateCommand(['/nonexistent/file.json'], { json: false }, io)).rejects.toMatchObject({
      code: 'CLI_INPUT_UNREADABLE',
    });
    expect((await unreadable).code).toBe(2);
  }, 30_000);

  test('--channel and --channel-from-dir together are refused', async () => {
    const { io } = captured();
    const both = { json: false, channel: 'tickstock:errors', channelFromDir: true };
    await expect(validateCommand(['fixtures/events'], both, io)).rejects.toMatchObject({
      code: 'CLI_BAD_OPTION',
    });
  });

  test('a pretty-printed object is one message, not lines', () => {
    const pretty = Buffer.from(JSON.stringify({ a: 1, b: [1, 2] }, null, 2));
    expect(splitMessages(pretty, 'x', undefined)).toHaveLength(1);
    expect(splitMessages(lines([{ a: 1 }, { b: 2 }]), 'x', undefined)).toHaveLength(2);
  });
});

describe('--profile: each consumer profile a verdict, side by side', () => {
  const SPEC_ERROR = 'fixtures/events/valid/tickstock:errors/spec-004-s1-example.json';
  const APPV2_ERROR = 'fixtures/profiles/tickstockappv2/valid/tickstock:errors/appv2-own-shape.json';
  const both = [CONSUMER_PROFILES['spec']!, CONSUMER_PROFILES['tickstockappv2']!];
  const run = async (options: Partial<ValidateCommandOptions>, paths = [SPEC_ERROR, APPV2_ERROR]) => {
    const out: string[] = [];
    const io = { readStdin: () => Promise.resolve(Buffer.alloc(0)), write: (l: string) => void out.push(l) };
    const code = await validateCommand(paths, { json: false, channel: 'tickstock:errors', ...options }, io);
    return { code, out };
  };

  test('human: one line a message with both verdicts, the violations named by profile; exit 1', async () => {
    const { code, out } = await run({ profile: both });
    expect(code).toBe(1);
    expect(out[0]).toBe(
      `✗ ${SPEC_ERROR}: spec ✓ valid error · tickstockappv2 ✗ 2 violations (checked as error)`,
    );
    expect(out).toContainEqual(expect.stringMatching(/^ {4}tickstockappv2: \$\.source \[MISSING_FIELD\] expected a string \(required by TickStockAppV2/));
    expect(out).toContainEqual(expect.stringMatching(/^ {4}tickstockappv2: \$\.message \[MISSING_FIELD\]/));
    expect(out).toContainEqual(
      `✗ ${APPV2_ERROR}: spec ✗ 3 violations (checked as error) · tickstockappv2 ✓ valid error`,
    );
    expect(out.at(-1)).toBe(
      '2 messages in 2 files: 0 passed, 2 failed (spec: 1 passed, 1 failed; tickstockappv2: 1 passed, 1 failed)',
    );
  });

  test('one profile: its verdict alone, exit 0 when it accepts every message', async () => {
    const { code, out } = await run({ profile: [both[1]!] }, [APPV2_ERROR]);
    expect(out).toEqual([
      `✓ ${APPV2_ERROR}: tickstockappv2 ✓ valid error`,
      '1 message: 1 passed, 0 failed (tickstockappv2: 1 passed, 0 failed)',
    ]);
    expect(code).toBe(0);
  });

  test('--json: one record a message, its verdicts by profile; the summary counts each profile', async () => {
    const { out } = await run({ profile: both, json: true });
    const [first, , summary] = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({
      type: 'verdict',
      file: SPEC_ERROR,
      ok: false,
      verdicts: {
        spec: { ok: true, kind: 'error' },
        tickstockappv2: {
          ok: false,
          kind: 'error',
          violations: [
            expect.objectContaining({ code: 'MISSING_FIELD', path: '$.message' }),
            expect.objectContaining({ code: 'MISSING_FIELD', path: '$.source' }),
          ],
        },
      },
    });
    expect(summary).toEqual({
      type: 'summary',
      files: 2,
      messages: 2,
      passed: 0,
      failed: 2,
      by_profile: { spec: { passed: 1, failed: 1 }, tickstockappv2: { passed: 1, failed: 1 } },
    });
  });

  test('--junit: a test case per message and profile, failed where that profile refused it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'validate-profiles-'));
    try {
      await run({ profile: both, junit: join(dir, 'report.xml') });
      const xml = await readJUnit(join(dir, 'report.xml'));
      expect(xml.match(/<testcase /g)).toHaveLength(4);
      expect(xml).toMatch(/<testcase [^>]*name="spec-004-s1-example\.json \[spec\]"\s*\/>/);
      expect(xml).toMatch(
        /<testcase [^>]*name="spec-004-s1-example\.json \[tickstockappv2\]">\s*<failure message="2 violations \(checked as error\)" type="MISSING_FIELD">/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
