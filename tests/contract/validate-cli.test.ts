import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { splitMessages, validateCommand } from '../../src/cli/validate-command.ts';
import { REPO_ROOT } from '../../src/cli/contract-export-command.ts';
import { FIXTURES_DIR, invalidFixtures, validFixtures, type Fixture } from '../support/fixtures.ts';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
}

/** The real command, as a producer team's CI runs it. */
async function tickstock(args: readonly string[], stdin?: Buffer): Promise<Run> {
  const child = spawn(process.execPath, ['bin/tickstock.js', ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stdin.end(stdin);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout };
}

const argsFor = (f: Fixture) => [
  'validate',
  f.file,
  '--json',
  ...(f.channel ? ['--channel', f.channel] : []),
];
const all = [
  ...validFixtures().map((f) => ({ f, ok: true })),
  ...invalidFixtures().map((f) => ({ f, ok: false })),
];

describe('tickstock validate on every fixture', () => {
  // One process per fixture, as CI would call it; a few at a time keeps the two cores busy.
  test.concurrent.each(all.map(({ f, ok }) => [relative(FIXTURES_DIR, f.file), f, ok] as const))(
    '%s',
    async (_, fixture, ok) => {
      const run = await tickstock(argsFor(fixture));
      const verdicts = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { ok: boolean; violations?: { code: string }[] });
      expect(verdicts).toHaveLength(1);
      expect(verdicts[0]!.ok).toBe(ok);
      expect(run.code).toBe(ok ? 0 : 1);
      if ('code' in fixture) expect(verdicts[0]!.violations?.map((v) => v.code)).toContain(fixture.code);
    },
    30_000,
  );
});

describe('input forms', () => {
  const lines = (objects: unknown[]) => Buffer.from(objects.map((o) => JSON.stringify(o)).join('\n') + '\n');

  test('JSON lines from standard input: a verdict per line, exit 1 when any fails', async () => {
    const valid = JSON.parse(validFixtures()[0]!.bytes.toString('utf8')) as unknown;
    const run = await tickstock(['validate', '-'], lines([valid, { event_type: 'pattern_detected' }, valid]));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /✓ stdin:1[\s\S]*✗ stdin:2[\s\S]*✓ stdin:3[\s\S]*3 messages: 2 valid, 1 invalid/,
    );
  });

  test('a pretty-printed object is one message, not lines', () => {
    const pretty = Buffer.from(JSON.stringify({ a: 1, b: [1, 2] }, null, 2));
    expect(splitMessages(pretty, 'x', undefined)).toHaveLength(1);
    expect(splitMessages(lines([{ a: 1 }, { b: 2 }]), 'x', undefined)).toHaveLength(2);
  });

  test('an unreadable file is a usage error with a code, not a crash', async () => {
    const io = { readStdin: () => Promise.resolve(Buffer.alloc(0)), write: () => undefined };
    await expect(validateCommand('/nonexistent/file.json', { json: false }, io)).rejects.toMatchObject({
      code: 'CLI_INPUT_UNREADABLE',
    });
    const run = await tickstock(['validate', '/nonexistent/file.json']);
    expect(run.code).toBe(2);
  });
});
