import { describe, expect, test } from 'vitest';
import { latencyOver, type MetricValues } from '../../src/run/metrics.ts';
import { evaluateThresholds, parseThreshold } from '../../src/run/thresholds.ts';

const latency = (p99: number, count = 100) => ({ p50: 1, p90: 2, p99, p999: p99, max: p99, mean: 1, count });
const measured = (over: Partial<MetricValues> = {}): MetricValues => ({
  publish_to_client: latency(40),
  over_floor: null,
  error_to_client: null,
  generator_lateness: latency(0.8),
  delivery: 1,
  flows_complete: null,
  lost: 0,
  errors_lost: null,
  errors_lost_after_receipt: null,
  error_to_page: null,
  errors_not_rendered: null,
  page_errors: null,
  ...over,
});

describe('thresholds, as k6 writes them', () => {
  test('over_floor: what the consumer adds to the floor, statistic by statistic; unjudged without a floor', () => {
    const floor = { p50: 0.5, p90: 1, p99: 4, p999: 5, max: 9, mean: 0.6, count: 10 };
    const over = latencyOver(latency(40), floor);
    expect(over).toEqual({ p50: 0.5, p90: 1, p99: 36, p999: 35, max: 31, mean: 0.4, count: 100 });
    const [judged, unjudged] = [measured({ over_floor: over }), measured()].map(
      (m) => evaluateThresholds([parseThreshold('over_floor.p99 < 100')], m)[0]!,
    );
    expect(judged).toMatchObject({ value: 36, ok: true });
    expect(unjudged).toMatchObject({ value: null, ok: false });
  });


  test('a latency statistic and a ratio parse into name, operator and limit', () => {
    expect(parseThreshold(' publish_to_client.p99 < 100 ')).toMatchObject({
      expr: 'publish_to_client.p99 < 100',
      name: 'publish_to_client.p99',
      metric: 'publish_to_client',
      stat: 'p99',
      op: '<',
      limit: 100,
    });
    expect(parseThreshold('delivery>=0.999')).toMatchObject({ name: 'delivery', op: '>=', limit: 0.999 });
  });

  test('each holds or fails on the measured value; what was not measured fails, never passes', () => {
    const results = evaluateThresholds(
      ['publish_to_client.p99 < 100', 'publish_to_client.p99 < 10', 'delivery >= 0.999', 'lost == 0', 'error_to_client.p99 < 1000', 'flows_complete >= 0.999'].map((e) => parseThreshold(e)),
      measured(),
    );
    expect(results.map((r) => [r.name, r.value, r.ok])).toEqual([
      ['publish_to_client.p99', 40, true],
      ['publish_to_client.p99', 40, false],
      ['delivery', 1, true],
      ['lost', 0, true],
      ['error_to_client.p99', null, false],
      ['flows_complete', null, false],
    ]);
    const none = evaluateThresholds([parseThreshold('publish_to_client.p99 < 100')], measured({ publish_to_client: latency(0, 0) }));
    expect(none[0]).toMatchObject({ value: null, ok: false });
  });

  test.each([
    ['publish_to_clent.p99 < 100', /unknown metric 'publish_to_clent'[^]*did you mean 'publish_to_client'/],
    ['publish_to_client < 100', /publish_to_client is a latency: it needs a statistic[^]*\.p50, \.p90, \.p99/],
    ['delivery.p99 >= 1', /delivery is one number: it has no statistic '\.p99'/],
    ['publish_to_client.pp99 < 100', /unknown statistic 'pp99'[^]*did you mean 'p99'/],
    ['p99 below 100', /not of the form METRIC\[\.STAT\] OP NUMBER/],
    ['delivery >= lots', /not of the form/],
  ])('%s is refused at once, naming what is wrong', (expr, message) => {
    expect(() => parseThreshold(expr)).toThrow(message);
    expect(() => parseThreshold(expr)).toThrow(expect.objectContaining({ code: 'RUN_THRESHOLD', exitCode: 2 }));
  });
});
