import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { ClientError } from '../../src/contract/schemas/client-payloads.ts';
import type { Severity } from '../../src/contract/schemas/error-message.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { runErrorSimulation } from '../../src/sim/error-simulator.ts';
import { DEFAULT_MIX } from '../../src/sim/error-generator.ts';
import { launchBrowser } from '../support/browser.ts';
import { PAGE_OPTIONS } from '../../src/services/headless-browser.ts';
import { collect, errorMessage, publishError } from '../support/error-messages.ts';
import { startFlowRig, type FlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { pollUntil } from '../support/wait-for.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { Value } from '@sinclair/typebox/value';
import { CHANNELS, PRODUCER_HEARTBEAT_KEY } from '../../src/contract/channels.ts';
import { PipelineAggregate } from '../../src/contract/schemas/pipeline-aggregate.ts';
import { startTcpProxy, type TcpProxy } from '../../src/services/tcp-proxy.ts';

const services = useIsolatedServices();
// With a token, as deployed: the page must carry it to the API and to both Socket.IO namespaces.
const TOKEN = 'dashboard-token-41c2';
let rig: FlowRig;
let browser: Browser;
let page: Page;
let monitored: ClientError[];
let aggregates: PipelineAggregate[];
/** Between the consumer and Redis: a test holds it to stop the consumer taking messages. */
let link: TcpProxy;

beforeAll(async () => {
  const redis = new URL(services.redisUrl);
  const random = seededRandom(inject('seed'));
  link = await startTcpProxy({ host: redis.hostname, port: Number(redis.port) }, () => random.next());
  const consumerRedisUrl = Object.assign(new URL(services.redisUrl), { host: link.address }).toString();
  [rig, browser] = await Promise.all([
    startFlowRig(services, { errors: { adminToken: TOKEN }, consumerRedisUrl }),
    launchBrowser(),
  ]);
  const monitor = await rig.monitor(TOKEN);
  monitored = collect<ClientError>(monitor, 'tickstock_error');
  aggregates = collect<PipelineAggregate>(monitor, 'pipeline_aggregate');
});
afterAll(async () => {
  await browser?.close();
  await rig?.close();
  await link?.close();
});

/** What the page's Content-Security-Policy blocked (reported on the console): nothing, ever. */
const blocked: string[] = [];
/** Console errors and failed requests (a 404 for /favicon.ico, say): none, ever. */
const consoleErrors: string[] = [];

async function openDashboard(): Promise<Page> {
  const p = await browser.newPage(PAGE_OPTIONS);
  p.on('dialog', () => {
    throw new Error('the dashboard opened a dialog (alert/confirm): it must never');
  });
  p.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  p.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  p.on('response', (r) => {
    if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  await p.goto(`${rig.consumer.url()}/dashboard#token=${TOKEN}`);
  await p.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });
  return p;
}

const item = (id: string) => `#errors .item[data-id="${id}"]`;
const api = async (path: string): Promise<unknown> =>
  (await fetch(`${rig.consumer.url()}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();

/** `count` errors of one severity from the error simulator (marked simulated); their ids. */
async function simulateErrors(count: number, severity: Severity): Promise<string[]> {
  const sent: string[] = [];
  await runErrorSimulation(
    { redis: rig.redis, clock: systemClock, logger: rig.logger },
    {
      seed: inject('seed'),
      mode: 'mix',
      rate: 20,
      count,
      durationMs: undefined,
      mix: { ...DEFAULT_MIX, severities: { [severity]: 1 } },
      sequenceIntervalMs: 0,
    },
    (m) => sent.push(m.error_id),
  );
  return sent;
}

describe('the dashboard in a real browser', () => {
  test('a simulated critical alone: the health pill says simulated, never critical; its row is tagged', async () => {
    const sent = await simulateErrors(1, 'critical');
    await pollUntil(async () => (await api(`/api/errors/detail/${sent[0]!}`)) !== null, {
      timeoutMs: 5000,
      what: 'the simulated critical stored',
    });
    const first = await openDashboard();
    await first.waitForSelector(`${item(sent[0]!)} .badge.simulated`, { timeout: 5000 });
    await first.waitForSelector('#health.simulated', { timeout: 5000 });
    expect(await first.textContent('#health')).toMatch(/^simulated · 1 simulated critical/);
    await first.close();
  });

  test('loads with the stored errors, counts and health', async () => {
    const stored = [
      errorMessage({ error_message: 'stored one' }),
      errorMessage({ severity: 'critical', error_message: 'stored critical' }),
    ];
    for (const m of stored) await publishError(rig.redis, m);
    await pollUntil(() => monitored.length >= 2, { timeoutMs: 5000, what: 'two broadcasts' });
    await pollUntil(
      async () =>
        (
          (await (
            await fetch(`${rig.consumer.url()}/api/errors/recent`, {
              headers: { Authorization: `Bearer ${TOKEN}` },
            })
          ).json()) as unknown[]
        ).length >= 2,
      {
        timeoutMs: 5000,
        what: 'two stored errors',
      },
    );
    page = await openDashboard();
    for (const m of stored) await page.waitForSelector(item(m.error_id), { timeout: 5000 });
    expect(await page.textContent(item(stored[0]!.error_id))).toContain('stored one');
    expect(await page.textContent('#c-critical')).toBe('2'); // and the simulated one of the test before
    await page.waitForSelector('#health.red', { timeout: 5000 });
  });

  test('the token leaves the address bar and stays in the tab; the policy blocks none of the page', async () => {
    expect(page.url()).toBe(`${rig.consumer.url()}/dashboard`);
    expect(await page.evaluate("sessionStorage.getItem('tickstock-token')")).toBe(TOKEN);
    await page.waitForSelector('#conn.live', { timeout: 5000 });
    await page.reload();
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });
    await page.waitForSelector('#conn.live', { timeout: 5000 });
    expect(blocked).toEqual([]);
  });

  test('an error published by the simulator appears in the list, live', async () => {
    const sent = await simulateErrors(3, 'error');
    for (const id of sent) await page.waitForSelector(`${item(id)} .badge.simulated`, { timeout: 5000 });
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
    expect(blocked).toEqual([]);
  });

  test('a click on an error row opens its stored context and traceback; again closes it', async () => {
    const traced = errorMessage({
      error_message: 'pattern scan failed',
      error_traceback: 'Traceback (most recent call last):\n  File "scan.py", line 42\nKeyError: \'close\'',
      context: { component: 'PatternScanner', symbol: 'AAPL', metadata: { window: 20 } },
    });
    await page.click('#filters button[data-filter="all"]'); // the test before showed network only
    await publishError(rig.redis, traced);
    await page.waitForSelector(item(traced.error_id), { timeout: 5000 });
    await pollUntil(async () => (await api(`/api/errors/detail/${traced.error_id}`)) !== null, {
      timeoutMs: 5000,
      what: 'the error stored',
    });
    await page.click(`${item(traced.error_id)} .msg`);
    await page.waitForSelector(`${item(traced.error_id)} pre.traceback`, { timeout: 5000 });
    expect(await page.textContent(`${item(traced.error_id)} pre.traceback`)).toBe(traced.error_traceback);
    expect(await page.textContent(`${item(traced.error_id)} pre.context`)).toContain('"window": 20');
    await page.click(`${item(traced.error_id)} .msg`);
    expect(await page.locator(`${item(traced.error_id)} .detail`).count()).toBe(0);
    expect(await api('/api/errors/detail/not-stored-here')).toBeNull();
  });

  test('the 24 h cards equal the database counts, live and after a reload (warnings are not stored)', async () => {
    for (const m of [
      errorMessage({ severity: 'warning' }),
      errorMessage({ severity: 'warning' }),
      errorMessage({ severity: 'error' }),
    ])
      await publishError(rig.redis, m);
    const card = async (k: string) => Number(await page.textContent(`#c-${k}`));
    const cards = async () => ({
      total: await card('total'),
      critical: await card('critical'),
      error: await card('error'),
    });
    const database = async () => {
      const s = (await api('/api/errors/statistics?hours=24')) as {
        total: number;
        bySeverity: Record<string, number>;
      };
      return { total: s.total, critical: s.bySeverity['critical'] ?? 0, error: s.bySeverity['error'] ?? 0 };
    };
    await pollUntil(async () => JSON.stringify(await cards()) === JSON.stringify(await database()), {
      timeoutMs: 5000,
      what: 'the cards to equal the database',
      seen: async () => `page ${JSON.stringify(await cards())}, database ${JSON.stringify(await database())}`,
    });
    const before = await cards();
    await page.reload();
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });
    expect(await cards()).toEqual(before);
  });

  test('toasts are capped at 3 and never cover a panel', async () => {
    const burst = Array.from({ length: 5 }, () => errorMessage({ severity: 'error' }));
    for (const m of burst) await publishError(rig.redis, m);
    for (const m of burst) await page.waitForSelector(item(m.error_id), { timeout: 5000 });
    expect(await page.locator('#toasts .toast').count()).toBeLessThanOrEqual(3);
    // In the page (a string: the tests compile without the DOM's types).
    const overlaps = await page.evaluate(`(() => {
      const boxes = (sel) => [...document.querySelectorAll(sel)].map((e) => e.getBoundingClientRect());
      const panels = boxes('.panel, .card');
      return boxes('#toasts .toast').filter((t) =>
        panels.some((p) => t.left < p.right && p.left < t.right && t.top < p.bottom && p.top < t.bottom),
      ).length;
    })()`);
    expect(overlaps).toBe(0);
  });

  test('without the token the consumer wants, the page asks for it instead of showing zeros, then loads with it', async () => {
    // Not openDashboard(): its checks count the 401s this page is meant to get.
    const bare = await browser.newPage(PAGE_OPTIONS);
    await bare.goto(`${rig.consumer.url()}/dashboard`);
    await bare.waitForSelector('#token-form:not([hidden])', { timeout: 5000 });
    expect(await bare.textContent('#token-form label')).toContain('needs its admin token');
    expect(await bare.isVisible('main')).toBe(false);
    await bare.fill('#token-input', TOKEN);
    await bare.click('#token-form button');
    await bare.waitForSelector('body[data-loaded="true"] #conn.live', { timeout: 10_000 });
    expect(await bare.isVisible('#token-form')).toBe(false);
    expect(bare.url()).toBe(`${rig.consumer.url()}/dashboard`);
    await bare.close();
  });

  test('no console error and no failed request on load, the favicon included', async () => {
    const res = await fetch(`${rig.consumer.url()}/favicon.ico`);
    expect(res.status).toBe(200);
    const fresh = await openDashboard();
    await fresh.waitForSelector('#conn.live', { timeout: 5000 });
    await fresh.close();
    expect(consoleErrors).toEqual([]);
  });

  test('the latency chart draws publish→browser p50/p99 per second, measured in the page, while events flow', async () => {
    const random = seededRandom(inject('seed'));
    const started = Date.now();
    // 20 patterns a second until the page has drawn two seconds of them.
    while ((Number(await page.getAttribute('#latency', 'data-points', { timeout: 1000 })) || 0) < 2) {
      if (Date.now() - started > 8000) throw new Error('the latency chart drew under 2 points in 8 s');
      await publishOnce({ redis: rig.redis, db: undefined, clock: systemClock, random });
      await new Promise((resolve) => setTimeout(resolve, 50)); // pacing the producer, not waiting for the page
    }
    expect(consoleErrors).toEqual([]);
    expect(await page.locator('#latency canvas').count()).toBeGreaterThan(0);
    const [p50, p99] = (
      /p50 ([\d.]+) ms · p99 ([\d.]+) ms/.exec((await page.textContent('#latency-now')) ?? '') ?? []
    )
      .slice(1)
      .map(Number);
    expect(p50).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(p50!);
    expect(p99).toBeLessThan(1000);
  });

  const row = (id: string) => `#incomplete .row[data-flow-id="${id}"]`;
  const text = async (selector: string) => (await page.textContent(selector, { timeout: 1000 })) ?? '';

  test('the pipeline panels show what Redis and the database say: subscribers, the producer heartbeat, a rejected message', async () => {
    const beatAt = Date.now() / 1000 - 30;
    await rig.redis.set(PRODUCER_HEARTBEAT_KEY, String(beatAt));
    const flowId = `00000000-0000-4000-8000-${String(inject('seed')).padStart(12, '0').slice(-12)}`;
    await rig.redis.publish(
      CHANNELS.patterns,
      JSON.stringify({ event_type: 'pattern_detected', data: { flow_id: flowId } }),
    );
    let stored: { path: string; code: string } | undefined;
    await pollUntil(
      async () => {
        const { rows } = await rig.pool.query<{ details: { violations: { path: string; code: string }[] } }>(
          `SELECT details FROM integration_events WHERE flow_id = $1 AND checkpoint = 'EVENT_REJECTED'`,
          [flowId],
        );
        stored = rows[0]?.details.violations[0];
        return stored !== undefined;
      },
      { timeoutMs: 5000, what: 'the garbage message rejected in integration_events' },
    );
    await pollUntil(async () => (await text('#rejected')).includes(`${stored!.path} ${stored!.code}`), {
      timeoutMs: 5000,
      what: `the rejected list to show ${stored!.path} ${stored!.code}`,
      seen: () => text('#rejected'),
    });
    expect(await text('#rejected')).toContain(flowId);
    const numsub = (await rig.redis.pubsub('NUMSUB', CHANNELS.patterns)) as [string, number];
    const subscribers = `${numsub[1]} subscriber${numsub[1] === 1 ? '' : 's'}`;
    await pollUntil(
      async () => (await text(`#alive .kv[data-channel="${CHANNELS.patterns}"] .v`)) === subscribers,
      {
        timeoutMs: 5000,
        what: `the heartbeat panel to show ${subscribers} on ${CHANNELS.patterns}`,
        seen: () => text('#alive'),
      },
    );
    const age = Number(/^(\d+) s ago$/.exec(await text('#alive .kv[data-key="producer-key"] .v'))?.[1]);
    expect(Math.abs(age - (Date.now() / 1000 - beatAt))).toBeLessThanOrEqual(3);
    // The consumer beat when it subscribed: an age, never "never", well before its first 60 s interval.
    expect(await text('#alive .kv[data-key="consumer-alive"] .v')).toMatch(/^\d+ s ago$/);
    // What went over the socket is what the contract says it is.
    expect(aggregates.length).toBeGreaterThan(0);
    for (const a of aggregates.slice(-3)) expect(Value.Errors(PipelineAggregate, a).First()).toBeUndefined();
  });

  test('a consumer cut off from its messages: the incomplete-flow list names the flows, where each stopped and why', async () => {
    const random = seededRandom(inject('seed') + 1);
    // A user on `/`: the page itself is not one (it reads /monitoring), and without a user a flow ends
    // at EVENT_PARSED ("no users connected").
    const user = await rig.browser(TOKEN);
    link.shape({ latencyMs: 60_000 }); // the consumer's Redis link holds every byte
    const held: string[] = [];
    try {
      for (let i = 0; i < 3; i += 1)
        held.push(
          (await publishOnce({ redis: rig.redis, db: rig.pool, clock: systemClock, random })).event.data
            .flow_id,
        );
      // Judged after the 3 s settle, by a window read at most 5 s old (it may take 1 % of the time).
      for (const id of held) await page.waitForSelector(row(id), { timeout: 15_000 });
      for (const id of held) {
        expect(await text(`${row(id)} .stop`)).toBe('stopped after PATTERN_PUBLISHED');
        expect(await text(`${row(id)} .why`)).toMatch(/^Redis connection issue \(no EVENT_RECEIVED\)/);
      }
      // The consumer's own Redis reads wait behind the same link: the page says they are missing, and why.
      await page.waitForSelector('#unavailable:not([hidden])', { timeout: 5000 });
      expect(await text('#unavailable')).toMatch(/Redis did not answer|Redis has not answered/);
    } finally {
      link.shape({}); // released: the held messages arrive, late, and their flows complete
    }
    const rows = held.map(row).join(', ');
    await pollUntil(async () => (await page.locator(rows).count()) === 0, {
      timeoutMs: 10_000,
      what: 'the released flows to leave the incomplete list',
      seen: () => text('#incomplete'),
    });
    user.disconnect();
    // The held events arrived seconds late: the latency chart's p99 rose to say so.
    const highestP99 = () =>
      page.evaluate(() =>
        Math.max(
          0,
          ...(
            globalThis as unknown as { __tickstock: { latency: { p99: (number | null)[] } } }
          ).__tickstock.latency.p99.map((v) => v ?? 0),
        ),
      );
    await pollUntil(async () => (await highestP99()) >= 2000, {
      timeoutMs: 5000,
      what: "the latency chart's p99 to rise past 2 s",
      seen: async () => `${await highestP99()} ms`,
    });
    expect(consoleErrors).toEqual([]);
  });

  test('when the socket drops, the page says so in plain words and greys the stale panels', async () => {
    expect(await page.isVisible('#conn-banner')).toBe(false);
    await rig.consumer.close();
    await page.waitForSelector('#conn-banner:not([hidden])', { timeout: 5000 });
    expect(await page.textContent('#conn-banner')).toMatch(
      /^Connection to the consumer lost at .+ stopped updating then\.$/,
    );
    expect(await page.getAttribute('body', 'class')).toContain('stale');
    expect(await page.textContent('#conn-banner')).not.toMatch(/xhr poll error|websocket error/);
  });
});
