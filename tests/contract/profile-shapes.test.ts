import fc from 'fast-check';
import { describe, expect, inject, test } from 'vitest';
import { CHANNELS } from '../../src/contract/channels.ts';
import { CONSUMER_PROFILES, SPEC_PROFILE } from '../../src/contract/consumer-profiles.ts';
import { messageShaper } from '../../src/contract/message-shapes.ts';
import { validateForProfile, validateMessage, type ProfileVerdict } from '../../src/contract/validate.ts';
import {
  validBacktestProgress,
  validBacktestResult,
  validErrorMessage,
} from '../support/contract-arbitraries.ts';
import { redisCliPublish } from '../support/reproduce.ts';

// Fewer runs than tests/contract/properties.test.ts: a shaper is a few field copies, not a parser.
const RUNS = 2_000;
const params = { seed: inject('seed'), numRuns: RUNS };
const APPV2 = CONSUMER_PROFILES['tickstockappv2']!;
const appv2 = messageShaper(APPV2);

const violationsOf = (v: ProfileVerdict) => (v.ok ? [] : v.violations.map((x) => `${x.code} ${x.path}`));

/** Valid for both consumers: the spec's verdict and tickstockappv2's, or a failure that reproduces. */
function expectBoth(channel: string, message: unknown): void {
  const json = JSON.stringify(message);
  const verdicts = { spec: validateMessage(json, { channel }), tickstockappv2: validateForProfile(json, APPV2, { channel }) };
  const wrong = Object.entries(verdicts).filter(([, v]) => !v.ok);
  if (wrong.length > 0)
    throw new Error(
      `expected valid for spec and tickstockappv2, but ${wrong.map(([p, v]) => `${p}: ${violationsOf(v).join(', ')}`).join('; ')}\n  reproduce: ${redisCliPublish(channel, json)}`,
    );
}

describe('the spec profile shapes nothing', () => {
  test('errors and backtest messages go out as they were made', () => {
    const spec = messageShaper(SPEC_PROFILE);
    fc.assert(
      fc.property(validErrorMessage, validBacktestProgress, validBacktestResult, (e, p, r) => {
        expect(spec.error(e)).toBe(e);
        expect(spec.backtestProgress(p)).toBe(p);
        expect(spec.backtestResult(r)).toBe(r);
      }),
      { ...params, numRuns: 200 },
    );
  });
});

describe('tickstockappv2: shaped messages are accepted by it and still by the spec', () => {
  test(`an error gains a non-empty source and message, its spec fields untouched (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(validErrorMessage, (message) => {
        const shaped = appv2.error(message) as Record<string, unknown>;
        expect(shaped).toMatchObject(message);
        expect(shaped['source']).toBe('TickStockPL');
        expect(shaped['message']).toBe(message.error_message === '' ? message.error_type : message.error_message);
        expectBoth(CHANNELS.errors, shaped);
      }),
      params,
    );
  });

  test(`backtest progress and results carry job_id, progress and status at the top level (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(validBacktestProgress, validBacktestResult, (progress, result) => {
        const p = appv2.backtestProgress(progress) as Record<string, unknown>;
        const r = appv2.backtestResult(result) as Record<string, unknown>;
        expect(p).toMatchObject({ ...progress, job_id: progress.data.job_id, progress: progress.data.progress });
        expect(p['status']).toBe(progress.data.status);
        expect(r).toMatchObject({ ...result, job_id: result.data.job_id, status: result.data.status });
        expectBoth(CHANNELS.backtestProgress, p);
        expectBoth(CHANNELS.backtestResults, r);
      }),
      params,
    );
  });
});

describe("tickstockappv2's verdict on spec messages: refused, naming what it needs", () => {
  test(`a spec 004 error passes the spec and fails tickstockappv2: source and message are required (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(validErrorMessage, (message) => {
        const json = JSON.stringify(message);
        expect(validateMessage(json, { channel: CHANNELS.errors }).ok).toBe(true);
        const verdict = validateForProfile(json, APPV2, { channel: CHANNELS.errors });
        expect(violationsOf(verdict)).toEqual(['MISSING_FIELD $.message', 'MISSING_FIELD $.source']);
        if (!verdict.ok) expect(verdict.violations.every((v) => /TickStockAppV2/.test(v.hint ?? ''))).toBe(true);
      }),
      params,
    );
  });

  test(`spec backtest messages fail tickstockappv2 with the fields to copy to the top level (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(validBacktestProgress, validBacktestResult, (progress, result) => {
        const p = validateForProfile(JSON.stringify(progress), APPV2, { channel: CHANNELS.backtestProgress });
        const r = validateForProfile(JSON.stringify(result), APPV2, { channel: CHANNELS.backtestResults });
        expect(violationsOf(p)).toEqual(['MISSING_FIELD $.job_id', 'MISSING_FIELD $.progress']);
        expect(violationsOf(r)).toEqual(['MISSING_FIELD $.job_id', 'MISSING_FIELD $.status']);
        for (const v of [p, r]) if (!v.ok) expect(v.violations.every((x) => /at the top level/.test(x.hint ?? ''))).toBe(true);
      }),
      params,
    );
  });

  test('without a channel, an appv2 error is still told to be an error by its message field', () => {
    const verdict = validateForProfile(JSON.stringify({ source: 'TickStockPL', message: 'x' }), APPV2);
    expect(verdict).toMatchObject({ ok: true, kind: 'error', notes: [] });
    // The spec's verdict is as it always was: no spec error field, no kind.
    expect(validateMessage(JSON.stringify({ source: 'TickStockPL', message: 'x' }))).toMatchObject({
      ok: false,
      kind: undefined,
    });
  });
});
