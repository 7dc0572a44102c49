import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findProfile } from '../../src/contract/consumer-profiles.ts';
import { messageShaper } from '../../src/contract/message-shapes.ts';
import type { BacktestProgress, BacktestResult } from '../../src/contract/schemas/backtesting.ts';
import type { ErrorMessage } from '../../src/contract/schemas/error-message.ts';
import { validateForProfile, validateMessage } from '../../src/contract/validate.ts';
import {
  FIXTURES_DIR,
  invalidFixtures,
  PROFILE_FIXTURES_DIR,
  validFixtures,
} from '../support/fixtures.ts';

const name = (file: string) => relative(FIXTURES_DIR, file);

describe('valid fixtures validate on their channel', () => {
  test.each(validFixtures().map((f) => [name(f.file), f] as const))('%s', (_, fixture) => {
    const verdict = validateMessage(fixture.bytes, { channel: fixture.channel });
    expect(verdict.ok ? [] : verdict.violations).toEqual([]);
  });
});

describe('invalid fixtures give the violation their name says', () => {
  test.each(invalidFixtures().map((f) => [name(f.file), f] as const))('%s', (_, fixture) => {
    const verdict = validateMessage(fixture.bytes, { channel: fixture.channel });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    const match = verdict.violations.find(
      (v) =>
        v.code === fixture.code &&
        (fixture.prefix ? v.path.startsWith(fixture.path) : v.path === fixture.path),
    );
    expect(match, JSON.stringify(verdict.violations, null, 2)).toBeDefined();
  });
});

describe('the pitfalls of spec 001 §9 come with the fix', () => {
  const hintOf = (file: string) => {
    const fixture = invalidFixtures().find((f) => f.file.includes(file))!;
    const verdict = validateMessage(fixture.bytes, { channel: fixture.channel });
    return verdict.ok ? [] : verdict.violations.map((v) => v.hint ?? '');
  };
  test.each([
    ['pattern_name-instead-of-pattern', /Rename data\.pattern_name to data\.pattern/],
    ['not-a-uuid', /UUID string such as str\(uuid\.uuid4\(\)\)/],
    ['milliseconds-not-seconds', /looks like milliseconds/],
    ['percentage-not-fraction', /looks like a percentage.*0\.85/],
    ['fields-not-nested-under-data', /Nest symbol, pattern, confidence and flow_id under "data"/],
    [
      'pattern-event-on-the-error-channel',
      /Publish pattern_detected messages on tickstock\.events\.patterns/,
    ],
    ['channel-name-typo', /Did you mean tickstock\.events\.patterns\?/],
    ['truncated', /truncated/],
  ])('%s', (file, hint) => {
    expect(hintOf(file).some((h) => hint.test(h))).toBe(true);
  });
});

describe('exact field names and nesting of the spec examples', () => {
  test('a valid pattern event yields the typed message with its exact fields', () => {
    const fixture = validFixtures().find((f) => f.file.endsWith('spec-001-s4-example-with-real-uuid.json'))!;
    const verdict = validateMessage(fixture.bytes, { channel: fixture.channel });
    if (!verdict.ok || verdict.kind !== 'pattern_detected') throw new Error('expected a valid pattern event');
    expect(Object.keys(verdict.message)).toEqual(['event_type', 'source', 'timestamp', 'data']);
    expect(Object.keys(verdict.message.data).sort()).toEqual(
      [
        'confidence',
        'current_price',
        'flow_id',
        'pattern',
        'price_change',
        'symbol',
        'tier',
        'timestamp',
        'volume',
      ].sort(),
    );
    expect(verdict.notes).toEqual([]);
  });

  test('unknown extra fields are accepted and reported as notes', () => {
    const fixture = validFixtures().find((f) => f.file.endsWith('unknown-extra-fields-are-notes.json'))!;
    const verdict = validateMessage(fixture.bytes, { channel: fixture.channel });
    expect(verdict.ok && verdict.notes.map((n) => n.path).sort()).toEqual([
      '$.data.indicators',
      '$.data.sector',
      '$.schema_version',
    ]);
  });

  test('invalid JSON names the position where it broke', () => {
    const verdict = validateMessage('{"event_type": "pattern_detected", "source" "TickStockPL"}');
    expect(!verdict.ok && verdict.violations[0]).toMatchObject({
      code: 'INVALID_JSON',
      found: expect.stringContaining('position 44') as string,
    });
  });
});

describe("each deployed consumer's fixtures (fixtures/profiles/<profile>/) get that verdict", () => {
  const profiles = readdirSync(PROFILE_FIXTURES_DIR).map((dir) => [dir, findProfile(dir).profile] as const);
  const cases = profiles.flatMap(([dir, profile]) => {
    const root = join(PROFILE_FIXTURES_DIR, dir);
    const named = (f: { file: string }) => relative(PROFILE_FIXTURES_DIR, f.file);
    return [
      ...validFixtures(root).map((f) => [named(f), profile, f, undefined] as const),
      ...invalidFixtures(root).map((f) => [named(f), profile, f, f] as const),
    ];
  });

  test('every folder is a profile, with valid and invalid examples', () => {
    expect(profiles.filter(([, p]) => p === undefined).map(([dir]) => dir)).toEqual([]);
    expect(cases.length).toBeGreaterThan(4);
  });

  test.each(cases)('%s', (_, profile, fixture, invalid) => {
    const verdict = validateForProfile(fixture.bytes, profile!, { channel: fixture.channel });
    if (invalid === undefined) return expect(verdict.ok ? [] : verdict.violations).toEqual([]);
    const violations = verdict.ok ? [] : verdict.violations;
    expect(
      violations.find((v) => v.code === invalid.code && v.path === invalid.path),
      JSON.stringify(violations, null, 2),
    ).toBeDefined();
  });

  test("the appv2 error and backtest examples are exactly what its shaper makes of the spec's", () => {
    const read = <T>(dir: string, file: string): T => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
    const spec = <T>(channel: string, file: string) => read<T>(join(FIXTURES_DIR, 'valid', channel), file);
    const appv2 = (channel: string, file: string) =>
      read<unknown>(join(PROFILE_FIXTURES_DIR, 'tickstockappv2/valid', channel), file);
    const shape = messageShaper(findProfile('tickstockappv2').profile!);
    expect(shape.error(spec<ErrorMessage>('tickstock:errors', 'spec-004-s1-example.json'))).toEqual(
      appv2('tickstock:errors', 'spec-004-s1-example-with-source-and-message.json'),
    );
    const progress = 'tickstock.events.backtesting.progress';
    expect(shape.backtestProgress(spec<BacktestProgress>(progress, 'progress-half.json'))).toEqual(
      appv2(progress, 'progress-half-with-top-level-fields.json'),
    );
    const results = 'tickstock.events.backtesting.results';
    expect(shape.backtestResult(spec<BacktestResult>(results, 'result-completed.json'))).toEqual(
      appv2(results, 'result-completed-with-top-level-fields.json'),
    );
  });
});
