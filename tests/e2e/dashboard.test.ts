import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { ClientError } from '../../src/contract/schemas/client-payloads.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { runErrorSimulation } from '../../src/sim/error-simulator.ts';
import { DEFAULT_MIX } from '../../src/sim/error-generator.ts';
import { launchBrowser } from '../support/browser.ts';
import { collect, errorMessage, publishError } from '../support/error-messages.ts';
import { startFlowRig, type FlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { pollUntil } from '../support/wait-for.ts';

const services = useIsolatedServices();
let rig: FlowRig;
let browser: Browser;
let page: Page;
let monitored: ClientError[];

beforeAll(async () => {
  [rig, browser] = await Promise.all([startFlowRig(services), launchBrowser()]);
  monitored = collect<ClientError>(await rig.monitor(), 'tickstock_error');
});
afterAll(async () => {
  await browser?.close();
  await rig?.close();
});

async function openDashboard(): Promise<Page> {
  const p = await browser.newPage();
  p.on('dialog', () => {
    throw new Error('the dashboard opened a dialog (alert/confirm): it must never');
  });
  await p.goto(`${rig.consumer.url()}/dashboard`);
  await p.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });
  return p;
}

const item = (id: string) => `#errors .item[data-id="${id}"]`;

describe('the dashboard in a real browser', () => {
  test('loads with the stored errors, counts and health', async () => {
    const stored = [
      errorMessage({ error_message: 'stored one' }),
      errorMessage({ severity: 'critical', error_message: 'stored critical' }),
    ];
    for (const m of stored) await publishError(rig.redis, m);
    await pollUntil(() => monitored.length >= 2, { timeoutMs: 5000, what: 'two broadcasts' });
    await pollUntil(
      async () =>
        ((await (await fetch(`${rig.consumer.url()}/api/errors/recent`)).json()) as unknown[]).length >= 2,
      {
        timeoutMs: 5000,
        what: 'two stored errors',
      },
    );
    page = await openDashboard();
    for (const m of stored) await page.waitForSelector(item(m.error_id), { timeout: 5000 });
    expect(await page.textContent(item(stored[0]!.error_id))).toContain('stored one');
    expect(await page.textContent('#c-critical')).toBe('1');
    await page.waitForSelector('#health.red', { timeout: 5000 });
  });

  test('an error published by the simulator appears in the list, live', async () => {
    const sent: string[] = [];
    await runErrorSimulation(
      { redis: rig.redis, clock: systemClock, logger: rig.logger },
      {
        seed: inject('seed'),
        mode: 'mix',
        rate: 20,
        count: 3,
        durationMs: undefined,
        mix: { ...DEFAULT_MIX, severities: { error: 1 } },
        sequenceIntervalMs: 0,
      },
      (m) => sent.push(m.error_id),
    );
    for (const id of sent) await page.waitForSelector(item(id), { timeout: 5000 });
    expect(await page.locator('#toasts .toast').count()).toBeGreaterThan(0);
  });

  test('a critical shows the banner (never an alert dialog)', async () => {
    const critical = errorMessage({
      severity: 'critical',
      error_type: 'ImportError',
      error_message: '0 Redis subscribers for the import',
    });
    await publishError(rig.redis, critical);
    await page.waitForSelector('#banner.show', { timeout: 5000 });
    expect(await page.textContent('#banner .text')).toContain(
      'ImportError: 0 Redis subscribers for the import',
    );
  });

  test('producer text with <img onerror> and <script> renders as literal text and runs nothing', async () => {
    const attack = errorMessage({
      severity: 'critical',
      error_type: '<script>window.__pwned="type"</script>',
      error_message: '<img src=x onerror="window.__pwned=\'img\'"><script>window.__pwned="script"</script>',
      symbol: '<b>X</b>',
      context: { component: '<iframe src="javascript:window.__pwned=1">', symbol: '<b>X</b>' },
    });
    await publishError(rig.redis, attack);
    await page.waitForSelector(item(attack.error_id), { timeout: 5000 });
    const text = await page.textContent(item(attack.error_id));
    expect(text).toContain(
      '<img src=x onerror="window.__pwned=\'img\'"><script>window.__pwned="script"</script>',
    );
    expect(text).toContain('<iframe src="javascript:window.__pwned=1">');
    expect(
      await page
        .locator('#errors img, #errors script, #errors iframe, #errors b, #banner img, #toasts img')
        .count(),
    ).toBe(0);
    expect(await page.textContent('#banner .text')).toContain('<script>window.__pwned="type"</script>');
    // Give an injected handler every chance to run: the page has been live through the whole render.
    await page.waitForFunction('document.readyState === "complete"');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
  });

  test('category filters show only that category', async () => {
    const network = errorMessage({ category: 'network', error_message: 'polygon timed out' });
    await publishError(rig.redis, network);
    await page.waitForSelector(item(network.error_id));
    await page.click('#filters button[data-filter="network"]');
    const categories = await page.locator('#errors .item .cat').allTextContents();
    expect(categories.length).toBeGreaterThan(0);
    expect(new Set(categories)).toEqual(new Set(['[network]']));
    await page.screenshot({ path: 'reports/dashboard.png', fullPage: false });
  });
});
