import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { PAGE_OPTIONS } from '../../src/services/headless-browser.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { DEFAULT_SCENARIO } from '../../src/sim/scenarios.ts';
import { createSimulator, DEFAULT_SIMULATOR } from '../../src/sim/simulator.ts';
import { launchBrowser } from '../support/browser.ts';
import { errorMessage, publishError } from '../support/error-messages.ts';
import { startFlowRig, type FlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { pollUntil } from '../support/wait-for.ts';

/**
 * axe-core is a browser script, from node_modules. Evaluated through the DevTools protocol, which the
 * page's Content-Security-Policy (script-src 'self') rightly does not let a script tag do.
 */
const AXE_SCRIPT = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** A frame at 60 Hz: an update longer than this drops one. */
const FRAME_BUDGET_MS = 16;
/**
 * The measures are wall time on the page's thread: on two cores shared with other runs the scheduler can
 * stretch a 2 ms update to 15 (seen here, once in a run). One such update is forgiven, never a long
 * task (50 ms, the browser's own threshold); an update that is slow by itself is slow every time it runs.
 */
const OVER_FRAME_FORGIVEN = 1;
const LONG_TASK_MS = 50;

const services = useIsolatedServices();
let rig: FlowRig;
let browser: Browser;
let page: Page;
/** Uncaught errors in the page: an update that threw was not measured, so none may. */
const pageErrors: string[] = [];

beforeAll(async () => {
  [rig, browser] = await Promise.all([startFlowRig(services), launchBrowser()]);
  page = await browser.newPage(PAGE_OPTIONS);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${rig.consumer.url()}/dashboard`);
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });
});
afterAll(async () => {
  await browser?.close();
  await rig?.close();
});

/** Streams simulated patterns at `rate` per second for `count` events, as the demo does. */
function stream(rate: number, count: number) {
  return createSimulator(
    { redis: rig.redis, db: undefined, clock: systemClock, logger: rig.logger },
    { ...DEFAULT_SIMULATOR, scenario: { ...DEFAULT_SCENARIO, rate }, seed: inject('seed'), count },
  ).run();
}

/** axe-core's violations of impact serious or critical on `on` as it is now, one line each. */
async function seriousViolations(on: Page = page): Promise<string[]> {
  await on.evaluate(AXE_SCRIPT);
  const results = await on.evaluate(() =>
    (globalThis as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run(),
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('the dashboard, for every reader and on every frame', () => {
  test('axe-core finds no serious or critical accessibility violation, with errors, alerts, patterns and a traceback shown', async () => {
    const traced = errorMessage({
      error_message: 'pattern scan failed',
      error_traceback: `Traceback (most recent call last):\n${'  File "scan.py", line 42, in scan\n'.repeat(40)}KeyError`,
    });
    for (const severity of ['warning', 'error', 'critical'] as const)
      await publishError(rig.redis, errorMessage({ severity, error_message: `a ${severity} to read` }));
    await publishError(rig.redis, traced);
    await stream(50, 100);
    await page.waitForSelector('#latency canvas', { timeout: 5000 });
    await page.waitForSelector('#flow .row', { timeout: 5000 });
    const row = `#errors .item[data-id="${traced.error_id}"]`;
    await page.waitForSelector(row, { timeout: 5000 });
    expect(await seriousViolations()).toEqual([]);
    await pollUntil(
      async () =>
        (await (await fetch(`${rig.consumer.url()}/api/errors/detail/${traced.error_id}`)).json()) !== null,
      { timeoutMs: 5000, what: 'the traced error stored' },
    );
    await page.click(`${row} .msg`);
    await page.waitForSelector(`${row} pre.traceback`, { timeout: 5000 });
    expect(await seriousViolations()).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test('at 300 events/s (the page is sent a sample, at most 20 a second), each page update takes at most a frame of main-thread time (one stretched by the machine forgiven)', async () => {
    // The page names each update a performance measure (js/update-timing.js); the observer keeps them.
    await page.evaluate(() => {
      const kept: { name: string; ms: number }[] = [];
      (globalThis as unknown as { updates: typeof kept }).updates = kept;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) kept.push({ name: e.name, ms: e.duration });
      }).observe({ type: 'measure' });
    });
    await stream(300, 900);
    const seen = (name: string) =>
      page.evaluate(
        (n) =>
          (globalThis as unknown as { updates: { name: string }[] }).updates.filter((u) => u.name === n)
            .length,
        name,
      );
    // 900 events over 3 s: the consumer sends the page one every 50 ms at most, never all 900.
    await pollUntil(async () => (await seen('update: pattern')) >= 40, {
      timeoutMs: 5000,
      what: '40 sampled pattern updates measured in the page',
      seen: async () => `${await seen('update: pattern')}`,
    });
    expect(await seen('update: pattern')).toBeLessThanOrEqual(90);
    expect(await seen('update: second')).toBeGreaterThanOrEqual(2); // the chart redrawn while they streamed
    expect(await seen('update: aggregate')).toBeGreaterThanOrEqual(2); // and the panels
    const updates = await page.evaluate(
      () => (globalThis as unknown as { updates: { name: string; ms: number }[] }).updates,
    );
    const slowest = [...updates].sort((a, b) => b.ms - a.ms).slice(0, 3);
    console.log(`[harness] slowest page updates at 300 events/s: ${JSON.stringify(slowest)}`);
    const overFrame = updates.filter((u) => u.ms > FRAME_BUDGET_MS);
    expect(overFrame.length, JSON.stringify(slowest)).toBeLessThanOrEqual(OVER_FRAME_FORGIVEN);
    expect(slowest[0]!.ms, JSON.stringify(slowest)).toBeLessThan(LONG_TASK_MS);
    expect(pageErrors).toEqual([]);
  });

  test('asking for the admin token (a consumer that requires one, a tab without it), the page passes axe-core', async () => {
    const guarded = await startFlowRig(services, { errors: { adminToken: 'a11y-token-5e1d' } });
    const asking = await browser.newPage(PAGE_OPTIONS);
    try {
      await asking.goto(`${guarded.consumer.url()}/dashboard`);
      await asking.waitForSelector('#token-form:not([hidden])', { timeout: 5000 });
      expect(await asking.isVisible('main')).toBe(false);
      expect(await seriousViolations(asking)).toEqual([]);
    } finally {
      await asking.close();
      await guarded.close();
    }
  });

  test('greyed after the consumer has gone, the page still passes axe-core', async () => {
    await rig.consumer.close();
    await page.waitForSelector('body.stale', { timeout: 5000 });
    expect(await seriousViolations()).toEqual([]);
  });
});
