import fc from 'fast-check';
import { describe, expect, inject, test } from 'vitest';
import { CHANNELS } from '../../src/contract/channels.ts';
import { MAX_UNIX_SECONDS } from '../../src/contract/schemas/common.ts';
import { validateMessage, type Verdict } from '../../src/contract/validate.ts';
import { validErrorMessage, validPatternEvent } from '../support/contract-arbitraries.ts';
import { redisCliPublish } from '../support/reproduce.ts';

// At least 10,000 cases per property (issue 3); the run's seed makes every case reproducible.
const RUNS = 10_000;
const seed = inject('seed');
const params = { seed, numRuns: RUNS };

type Json = Record<string, unknown>;
const clone = (v: Json): Json => structuredClone(v);
const data = (e: Json) => e['data'] as Json;

function explain(
  channel: string,
  payload: string | Uint8Array,
  verdict: Verdict,
  expectation: string,
): string {
  const seen = verdict.ok ? 'it validated' : JSON.stringify(verdict.violations, null, 2);
  return `${expectation}, but ${seen}\n  reproduce: ${redisCliPublish(channel, payload)}`;
}

describe('valid messages', () => {
  test(`generated pattern events validate and survive a JSON round trip (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(validPatternEvent, (event) => {
        const json = JSON.stringify(event);
        for (const input of [json, Buffer.from(json)]) {
          const verdict = validateMessage(input, { channel: CHANNELS.patterns });
          if (!verdict.ok) throw new Error(explain(CHANNELS.patterns, json, verdict, 'expected valid'));
          expect(JSON.stringify(verdict.message)).toBe(json);
        }
      }),
      params,
    );
  });

  test(`generated error messages validate on tickstock:errors (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(validErrorMessage, (message) => {
        const json = JSON.stringify(message);
        const verdict = validateMessage(json, { channel: CHANNELS.errors });
        if (!verdict.ok) throw new Error(explain(CHANNELS.errors, json, verdict, 'expected valid'));
        expect(JSON.stringify(verdict.message)).toBe(json);
      }),
      params,
    );
  });
});

/** A change to a valid event, and the JSON path a violation must name. */
interface Mutation {
  readonly name: string;
  readonly path: string;
  apply(event: Json): string;
}

const REQUIRED: readonly (readonly string[])[] = [
  ['event_type'],
  ['source'],
  ['timestamp'],
  ['data'],
  ['data', 'symbol'],
  ['data', 'pattern'],
  ['data', 'confidence'],
  ['data', 'flow_id'],
];
const pathOf = (keys: readonly string[]) => `$.${keys.join('.')}`;
const parentOf = (event: Json, keys: readonly string[]) => (keys.length === 1 ? event : data(event));
const leaf = (keys: readonly string[]) => keys[keys.length - 1]!;

const drop = fc.constantFrom(...REQUIRED).map((keys): Mutation => ({
  name: `drop ${keys.join('.')}`,
  path: pathOf(keys),
  apply: (e) => {
    const m = clone(e);
    delete parentOf(m, keys)[leaf(keys)];
    return JSON.stringify(m);
  },
}));

const rename = fc
  .tuple(fc.constantFrom(...REQUIRED), fc.constantFrom('_name', 's', 'Id', '_', ' '))
  .map(([keys, suffix]): Mutation => ({
    name: `rename ${keys.join('.')} to ${leaf(keys)}${suffix}`,
    path: pathOf(keys),
    apply: (e) => {
      const m = clone(e);
      const parent = parentOf(m, keys);
      parent[`${leaf(keys)}${suffix}`] = parent[leaf(keys)];
      delete parent[leaf(keys)];
      return JSON.stringify(m);
    },
  }));

const wrongTypes: Record<string, fc.Arbitrary<unknown>> = {
  string: fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.constant({}),
  ),
  number: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.constant([1]), fc.constant({ v: 1 })),
  object: fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant([])),
};
const typeOf: Record<string, string> = {
  event_type: 'string',
  source: 'string',
  timestamp: 'number',
  data: 'object',
  symbol: 'string',
  pattern: 'string',
  confidence: 'number',
  flow_id: 'string',
};
const retype = fc.constantFrom(...REQUIRED).chain((keys) =>
  wrongTypes[typeOf[leaf(keys)]!]!.map((value): Mutation => ({
    name: `retype ${keys.join('.')} to ${JSON.stringify(value)}`,
    path: pathOf(keys),
    apply: (e) => {
      const m = clone(e);
      parentOf(m, keys)[leaf(keys)] = value;
      return JSON.stringify(m);
    },
  })),
);

const badValues: Record<string, fc.Arbitrary<unknown>> = {
  event_type: fc.string().filter((s) => s !== 'pattern_detected'),
  source: fc.string().filter((s) => s !== 'TickStockPL'),
  timestamp: fc.oneof(
    fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: MAX_UNIX_SECONDS * 1.0001, max: 1e15, noNaN: true }),
  ),
  symbol: fc.oneof(fc.constant(''), fc.string({ minLength: 21, maxLength: 40 })),
  pattern: fc.oneof(fc.constant(''), fc.string({ minLength: 51, maxLength: 80 })),
  confidence: fc.oneof(
    fc.double({ max: -Number.EPSILON, noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: 1.0000001, max: 1e6, noNaN: true }),
  ),
  flow_id: fc
    .string({ maxLength: 40 })
    .filter((s) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)),
};
const corrupt = fc.constantFrom(...REQUIRED.filter((k) => leaf(k) !== 'data')).chain((keys) =>
  badValues[leaf(keys)]!.map((value): Mutation => ({
    name: `corrupt ${keys.join('.')} to ${JSON.stringify(value)}`,
    path: pathOf(keys),
    apply: (e) => {
      const m = clone(e);
      parentOf(m, keys)[leaf(keys)] = value;
      return JSON.stringify(m);
    },
  })),
);

const truncate = fc.double({ min: 0, max: 0.999, noNaN: true }).map((fraction): Mutation => ({
  name: `truncate at ${fraction.toFixed(3)}`,
  path: '$',
  apply: (e) => {
    const json = JSON.stringify(e);
    return json.slice(0, Math.floor(json.length * fraction));
  },
}));

const wrap: Mutation = {
  name: 'wrap data in another data',
  path: '$.data.',
  apply: (e) => JSON.stringify({ ...e, data: { data: e['data'] } }),
};
const unwrap: Mutation = {
  name: 'unwrap data to the top level',
  path: '$.data',
  apply: (e) => {
    const { data: inner, ...rest } = e;
    return JSON.stringify({ ...rest, ...(inner as Json) });
  },
};

const mutation = fc.oneof(drop, rename, retype, corrupt, truncate, fc.constant(wrap), fc.constant(unwrap));

describe('mutated messages', () => {
  test(`every mutation of a valid event is rejected with a violation naming the mutated field (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(validPatternEvent, mutation, (event, m) => {
        const payload = m.apply(event);
        const verdict = validateMessage(payload, { channel: CHANNELS.patterns });
        const named =
          !verdict.ok &&
          verdict.violations.some((v) =>
            m.path.endsWith('.') ? v.path.startsWith(m.path) : v.path === m.path,
          );
        if (!named)
          throw new Error(
            explain(CHANNELS.patterns, payload, verdict, `${m.name}: expected a violation at ${m.path}`),
          );
      }),
      params,
    );
  });
});

describe('arbitrary input', () => {
  const neverThrows = (input: string | Uint8Array, channel?: string) => {
    const verdict = validateMessage(input, channel === undefined ? {} : { channel });
    expect(typeof verdict.ok).toBe('boolean');
  };

  test(`arbitrary bytes never throw (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => neverThrows(bytes, CHANNELS.patterns)),
      params,
    );
  });

  test(`arbitrary text and JSON never throw, on any channel or none (${RUNS} runs)`, () => {
    const channel = fc.option(fc.constantFrom(...Object.values(CHANNELS), 'no.such.channel'), {
      nil: undefined,
    });
    const input = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.json({ maxDepth: 4 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(input, channel, (text, ch) => neverThrows(text, ch)),
      params,
    );
  });
});
