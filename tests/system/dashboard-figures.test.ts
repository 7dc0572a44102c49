import type { Browser, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { CHECKPOINTS } from '../../src/contract/checkpoints.ts';
import type { PipelineAggregate } from '../../src/contract/schemas/pipeline-aggregate.ts';
import type { MainServerEvents } from '../../src/contract/socket-events.ts';
import { PAGE_OPTIONS } from '../../src/services/headless-browser.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { launchBrowser } from '../support/browser.ts';
import { collect } from '../support/error-messages.ts';
import { startFlowRig, type FlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { pollUntil } from '../support/wait-for.ts';

/*
 * Every pipeline panel against the aggregate the page was pushed, and the aggregate (and /health's
 * counters) against SQL over integration_events. A moving window has no "same moment" under load, so the load is a known set of
 * flows, then none: once they have settled and until they leave the window, every figure holds still.
 * Seconds long (a settle and a window of its own database): the system lane.
 */

/** Few enough to be sampled to the page one by one (at most 20 a second), paced over ~1.5 s. */
const FLOWS = 15;
const PACING_MS = 80;

const services = useIsolatedServices();
let rig: FlowRig;
let browser: Browser;
let page: Page;
let user: Socket<MainServerEvents>;
let pushed: PipelineAggregate[];

beforeAll(async () => {
  [rig, browser] = await Promise.all([startFlowRig(services), launchBrowser()]);
  // A user on `/`: without one a flow ends at EVENT_PARSED and is never complete.
  user = await rig.browser();
  pushed = collect<PipelineAggregate>(await rig.monitor(), 'pipeline_aggregate');
  page = await browser.newPage(PAGE_OPTIONS);
  await page.goto(`${rig.consumer.url()}/dashboard`);
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });
});
afterAll(async () => {
  await browser?.close();
  await rig?.close();
});

interface PageFigures {
  aggregate: PipelineAggregate | undefined;
  figures: Record<string, { value: string; text: string }>;
  hops: Record<string, Record<string, { value: string; text: string }>>;
  histogram: { count: number; bins: number[] };
  /** Pattern samples the page was sent and listed. */
  samples: number;
}

/** The panels' figures and the aggregate the page last drew them from, read in one task: one moment. */
const readPage = (): Promise<PageFigures> =>
  page.evaluate(`(() => {
    const cell = (e) => ({ value: e.dataset.value, text: e.textContent });
    const figures = {};
    for (const e of document.querySelectorAll('[data-metric]')) if (!e.closest('#hops')) figures[e.dataset.metric] = cell(e);
    const hops = {};
    for (const row of document.querySelectorAll('#hops tr[data-hop]')) {
      hops[row.dataset.hop] = {};
      for (const e of row.querySelectorAll('[data-metric]')) hops[row.dataset.hop][e.dataset.metric] = cell(e);
    }
    const box = document.getElementById('histogram');
    const bins = [...box.querySelectorAll('.bin')].map((b) => Number(b.dataset.count));
    const samples = document.querySelectorAll('#flow .row').length;
    return { aggregate: window.__tickstock.aggregate, figures, hops, histogram: { count: Number(box.dataset.count), bins }, samples };
  })()`);

/** percentile_cont: linear between the two closest ranks, as PostgreSQL computes it. */
function percentileCont(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** The window's flows straight from integration_events, as of the aggregate's read of them: counts and hop times. */
async function fromDatabase(a: PipelineAggregate) {
  const { rows } = await rig.pool.query<{
    checkpoints: string[];
    published_received: number | null;
    received_parsed: number | null;
    parsed_delivered: number | null;
    published_delivered: number | null;
  }>(
    `WITH f AS (
       SELECT flow_id, min(timestamp) AS started, array_agg(DISTINCT checkpoint) AS checkpoints,
              min(timestamp) FILTER (WHERE checkpoint = $4) AS published,
              min(timestamp) FILTER (WHERE checkpoint = $5) AS received,
              min(timestamp) FILTER (WHERE checkpoint = $6) AS parsed,
              min(timestamp) FILTER (WHERE checkpoint = $7) AS delivered
         FROM integration_events
        WHERE event_type = 'pattern_detected' AND flow_id IS NOT NULL
          AND timestamp >= $1::timestamptz - make_interval(secs => $2)
        GROUP BY flow_id)
     SELECT checkpoints,
            extract(epoch FROM received - published) * 1000 AS published_received,
            extract(epoch FROM parsed - received) * 1000 AS received_parsed,
            extract(epoch FROM delivered - parsed) * 1000 AS parsed_delivered,
            extract(epoch FROM delivered - published) * 1000 AS published_delivered
       FROM f WHERE started < $1::timestamptz - make_interval(secs => $3)`,
    [
      a.flowsReadAt,
      a.windowSeconds,
      a.settleSeconds,
      CHECKPOINTS.patternPublished,
      CHECKPOINTS.eventReceived,
      CHECKPOINTS.eventParsed,
      CHECKPOINTS.websocketDelivered,
    ],
  );
  const four = [
    CHECKPOINTS.patternPublished,
    CHECKPOINTS.eventReceived,
    CHECKPOINTS.eventParsed,
    CHECKPOINTS.websocketDelivered,
  ];
  const complete = rows.filter((r) => four.every((c) => r.checkpoints.includes(c))).length;
  const hop = (name: string, key: Exclude<keyof (typeof rows)[number], 'checkpoints'>) => {
    const times = rows
      .map((r) => r[key])
      .filter((v): v is number => v !== null)
      .map(Number)
      .sort((x, y) => x - y);
    return {
      hop: name,
      count: times.length,
      p50: percentileCont(times, 0.5),
      p99: percentileCont(times, 0.99),
    };
  };
  return {
    flows: { complete, incomplete: rows.length - complete },
    hops: [
      hop('published→received', 'published_received'),
      hop('received→parsed', 'received_parsed'),
      hop('parsed→delivered', 'parsed_delivered'),
      hop('published→delivered', 'published_delivered'),
    ],
  };
}

describe('the dashboard at one moment', () => {
  test(`after ${FLOWS} seeded flows and no more: each panel equals the pushed aggregate, and the aggregate equals SQL over integration_events`, async () => {
    const random = seededRandom(inject('seed'));
    for (let i = 0; i < FLOWS; i += 1) {
      await rig.deliverOne(user, random, rig.pool);
      await new Promise((resolve) => setTimeout(resolve, PACING_MS)); // pacing the producer, not waiting
    }
    // Settled (all judged) and drawn: from here until the first flow leaves the window, nothing moves.
    let seen: PageFigures | undefined;
    await pollUntil(
      async () => {
        seen = await readPage();
        return (
          seen.aggregate?.flows?.complete === FLOWS &&
          seen.samples >= FLOWS - 2 &&
          seen.histogram.count === seen.samples
        );
      },
      {
        timeoutMs: 8000,
        what: `the page to show ${FLOWS} complete flows, and a latency in its histogram for each sample it listed`,
        seen: () =>
          JSON.stringify({
            flows: seen?.aggregate?.flows,
            histogram: seen?.histogram,
            samples: seen?.samples,
          }),
      },
    );
    const { aggregate: a, figures, hops, histogram } = seen!;

    // The page's aggregate is the one pushed over /monitoring at that second.
    expect(pushed.find((p) => p.at === a!.at)).toEqual(a);
    expect(a!.unavailable).toEqual([]);

    // Flows panel ↔ aggregate.
    const number = (k: string) => Number(figures[k]!.value);
    expect(number('rates.receivedPerSecond')).toBe(a!.rates.receivedPerSecond);
    expect(number('rates.deliveredPerSecond')).toBe(a!.rates.deliveredPerSecond);
    expect(figures['rates.receivedPerSecond']!.text).toBe(`${a!.rates.receivedPerSecond.toFixed(1)}/s`);
    expect(number('flows.complete')).toBe(a!.flows!.complete);
    expect(number('flows.incomplete')).toBe(a!.flows!.incomplete);
    expect(figures['flows.complete']!.text).toBe(String(FLOWS));

    // Hops panel ↔ aggregate, every hop and figure.
    expect(Object.keys(hops).sort()).toEqual(a!.hops!.map((h) => h.hop).sort());
    for (const h of a!.hops!) {
      const row = hops[h.hop]!;
      expect(Number(row['count']!.value), h.hop).toBe(h.count);
      for (const p of ['p50', 'p99'] as const) {
        expect(Number(row[p]!.value), `${h.hop} ${p}`).toBe(h[p]);
        expect(Number.parseFloat(row[p]!.text), `${h.hop} ${p} as drawn`).toBeCloseTo(h[p]!, 1);
      }
    }

    // Aggregate ↔ SQL over the same window.
    const db = await fromDatabase(a!);
    expect(a!.flows).toEqual({ complete: FLOWS, incomplete: 0 });
    expect(db.flows).toEqual(a!.flows);
    for (const h of db.hops) {
      const shown = a!.hops!.find((x) => x.hop === h.hop)!;
      expect(shown.count, h.hop).toBe(h.count);
      expect(shown.p50!, `${h.hop} p50`).toBeCloseTo(h.p50!, 6);
      expect(shown.p99!, `${h.hop} p99`).toBeCloseTo(h.p99!, 6);
    }
    // Rates are the consumer's counters over the last `seconds` (rounded): every flow was in them.
    const { seconds, receivedPerSecond, deliveredPerSecond } = a!.rates;
    expect(seconds).toBeGreaterThan(0);
    expect(Math.abs(receivedPerSecond * seconds - FLOWS)).toBeLessThanOrEqual(FLOWS * 0.1);
    expect(Math.abs(deliveredPerSecond * seconds - FLOWS)).toBeLessThanOrEqual(FLOWS * 0.1);

    // The REST side (/health's counters since start, nothing else ran on this consumer) ↔ SQL.
    const health = (await (await fetch(`${rig.consumer.url()}/health`)).json()) as {
      counters: { events_received: number; events_forwarded: number };
    };
    const { rows } = await rig.pool.query<{ received: string; delivered: string }>(
      `SELECT count(*) FILTER (WHERE checkpoint = $1) AS received, count(*) FILTER (WHERE checkpoint = $2) AS delivered
         FROM integration_events WHERE event_type = 'pattern_detected'`,
      [CHECKPOINTS.eventReceived, CHECKPOINTS.websocketDelivered],
    );
    expect(health.counters.events_received).toBe(FLOWS);
    expect(health.counters.events_received).toBe(Number(rows[0]!.received));
    expect(health.counters.events_forwarded).toBe(Number(rows[0]!.delivered));

    // The histogram is measured in the page (publish→browser): one entry per sample the page was sent. Samples
    // go out volatile (a page that cannot keep up drops them), so under load one may be missing: at most the
    // flows delivered, and never two short.
    expect(histogram.bins.reduce((x, y) => x + y, 0)).toBe(histogram.count);
    expect(histogram.count).toBe(seen!.samples);
    expect(histogram.count).toBeLessThanOrEqual(a!.hops!.find((h) => h.hop === 'published→delivered')!.count);
  });
});
