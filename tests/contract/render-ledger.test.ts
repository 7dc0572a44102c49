import { describe, expect, test } from 'vitest';
import { SPEC_PROFILE } from '../../src/contract/consumer-profiles.ts';
import { pageUrl } from '../../src/run/browsers/error-pages.ts';
import { createRenderLedger, judgeRenders, wordsOf } from '../../src/run/browsers/render-ledger.ts';
import type { SentError } from '../../src/run/error-ledger.ts';

const T0 = 1_796_000_000_000;
const sent = (errorId: string, severity: SentError['severity'] = 'warning', at = T0): SentError => ({
  errorId,
  severity,
  intendedAtMs: at,
});
// A dashboard row's text: time, severity, [category], symbol, `type: message [id]`, component.
const row = (id: string) =>
  `6:20:00 PMwarning[data_processing]AAPLDataError: feed gap for Doji [${id}]Component: PatternDetector`;

describe('rendered text matched to the errors a run sent', () => {
  test('an id is a whole word: x_1 is not found in the text of x_12, and trailing punctuation does not hide one', () => {
    const page = createRenderLedger();
    page.add([{ atMs: T0 + 5, text: row('PatternDetector_detect_1796000000.000_12') }]);
    expect(page.renderedAt('PatternDetector_detect_1796000000.000_12')).toBe(T0 + 5);
    expect(page.renderedAt('PatternDetector_detect_1796000000.000_1')).toBeUndefined();
    expect(wordsOf('failed: id-7.')).toContain('id-7');
  });

  test('the first render counts: a row drawn again (a filter, a re-render) does not move it', () => {
    const page = createRenderLedger();
    page.add([{ atMs: T0 + 40, text: row('e-1') }]);
    page.add([
      { atMs: T0 + 90, text: row('e-1') },
      { atMs: T0 + 30, text: row('e-2') },
    ]);
    expect(page.renderedAt('e-1')).toBe(T0 + 40);
    expect(page.renderedAt('e-2')).toBe(T0 + 30);
  });

  test('each page is judged on its own: latency from the intended send time, and which pages missed what', () => {
    const [a, b] = [createRenderLedger(), createRenderLedger()];
    a.add([
      { atMs: T0 + 10, text: row('e-1') },
      { atMs: T0 + 1020, text: row('e-2') },
    ]);
    b.add([{ atMs: T0 + 20, text: row('e-1') }]);
    const j = judgeRenders([a, b], [sent('e-1'), sent('e-2', 'critical', T0 + 1000), sent('e-3', 'error')]);
    expect(j.shownPerPage).toEqual([2, 1]);
    expect(j.notRendered).toEqual([
      { errorId: 'e-2', severity: 'critical', pagesMissed: [1] },
      { errorId: 'e-3', severity: 'error', pagesMissed: [0, 1] },
    ]);
    expect(j.errorToPage.count).toBe(3);
    expect(j.errorToPage.max).toBeCloseTo(20, 1);
  });

  test("the spec dashboard's URL carries the token in its fragment, where the page reads it (never sent to the server)", () => {
    const url = pageUrl({ origin: 'http://127.0.0.1:8787', page: SPEC_PROFILE.page!, token: 'a b&c' });
    expect(url.href).toBe('http://127.0.0.1:8787/#token=a+b%26c');
    expect(new URLSearchParams(url.hash.slice(1)).get('token')).toBe('a b&c');
    expect(pageUrl({ origin: 'http://h:1', page: SPEC_PROFILE.page!, token: undefined }).href).toBe('http://h:1/');
  });
});
