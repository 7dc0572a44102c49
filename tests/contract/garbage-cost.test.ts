import fc from 'fast-check';
import { describe, expect, inject, test } from 'vitest';
import { CHANNELS } from '../../src/contract/channels.ts';
import { scanJson } from '../../src/contract/json-scan.ts';
import { MAX_MESSAGE_BYTES } from '../../src/contract/raw-input.ts';
import { validateMessage } from '../../src/contract/validate.ts';
import { describeFound } from '../../src/contract/violations.ts';

const seed = inject('seed');
// Rejecting costs ~1 ms here; before the fix the locator re-parsed the message ~18 times (130-1,400 ms).
const REJECT_BUDGET_MS = 50;

/** CPU time, not wall time: the cores are shared, and time spent descheduled is not the validator's. */
function timed<T>(run: () => T): { result: T; ms: number } {
  const start = process.cpuUsage();
  const result = run();
  const { user, system } = process.cpuUsage(start);
  return { result, ms: (user + system) / 1000 };
}

const GARBAGE: Record<string, string> = {
  "260,000 '['": '['.repeat(260_000),
  "50,000 '{\"a\":'": '{"a":'.repeat(50_000),
  'an unclosed array of 120,000 numbers': `[${'1,'.repeat(120_000)}`,
  'an unexpected token after 230 KB': `[${'{"a":1,"b":"xxxxxxxx"},'.repeat(10_000)}x]`,
};

describe('garbage costs time linear in its size', () => {
  test.each(Object.entries(GARBAGE))(`%s is rejected within ${REJECT_BUDGET_MS} ms`, (_, text) => {
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    validateMessage('[{"a":x}'); // the validator's code compiled, as in a running consumer
    // The fewest of three: the process's CPU count includes its other threads (GC, the test pool's).
    const runs = [1, 2, 3].map(() =>
      timed(() => validateMessage(Buffer.from(text), { channel: CHANNELS.patterns })),
    );
    for (const { result } of runs) expect(result.ok).toBe(false);
    expect(Math.min(...runs.map((r) => r.ms))).toBeLessThan(REJECT_BUDGET_MS);
  });

  test('a 20,000-deep top-level array is rejected as too deep, not thrown', () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const verdict = validateMessage(deep, { channel: CHANNELS.patterns });
    expect(!verdict.ok && verdict.violations[0]).toMatchObject({ code: 'TOO_DEEP' });
  });

  test('describeFound shows the start of a value nested deeper than the stack allows', () => {
    let deep: unknown = [];
    for (let i = 0; i < 20_000; i += 1) deep = [deep];
    expect(describeFound(deep)).toBe(`array ${'['.repeat(57)}...`);
    expect(describeFound({ a: [1, 'x'], b: null })).toBe('object {"a":[1,"x"],"b":null}');
  });
});

/** JSON.parse's verdict and, when its message states one, the position it gave up at. */
function parsed(text: string): { ok: boolean; stated?: number } {
  try {
    JSON.parse(text);
    return { ok: true };
  } catch (error) {
    const message = (error as Error).message;
    if (/end of JSON input/.test(message)) return { ok: false, stated: text.length };
    const at = /at position (\d+)/.exec(message);
    return { ok: false, stated: at === null ? undefined : Number(at[1]) };
  }
}

// Text near JSON: valid values with a character inserted, deleted or replaced.
const nearJson = fc
  .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', ':', '"', '[', ']', '{', '}', 'x', '-', '.', 'e', '\\', ' ', '\n', '\u0001'), fc.boolean())
  .map(([json, n, c, replace]) => {
    const at = n % (json.length + 1);
    return json.slice(0, at) + c + json.slice(replace ? at + 1 : at);
  });

test('the scan agrees with JSON.parse: valid or not, and where it gave up when JSON.parse says', () => {
  fc.assert(
    fc.property(fc.oneof(fc.json(), nearJson, fc.string()), (text) => {
      const stop = scanJson(text, 1000);
      const truth = parsed(text);
      expect(stop === undefined).toBe(truth.ok);
      if (truth.stated !== undefined) expect(stop?.at).toBe(truth.stated);
    }),
    { seed, numRuns: 5000 },
  );
});
