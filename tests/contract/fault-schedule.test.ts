import { describe, expect, test } from 'vitest';
import { inject } from 'vitest';
import { parseFault, placeFaults } from '../../src/run/fault-schedule.ts';
import { overlayScenario, resolvePlan } from '../../src/run/run-plan.ts';
import { evaluateThresholds, parseThreshold } from '../../src/run/thresholds.ts';
import type { MetricValues } from '../../src/run/metrics.ts';

const seed = inject('seed');

describe('the fault schedule', () => {
  test.each([
    ['at=10s redis:restart', { kind: 'redis:restart', atMs: 10_000, forMs: 0 }],
    ['at=1s redis:restart 2s', { kind: 'redis:restart', forMs: 2000 }],
    ['at=1.5s redis:pause', { kind: 'redis:pause', atMs: 1500, forMs: 3000 }],
    ['at=500ms postgres:stop 20s', { kind: 'postgres:stop', atMs: 500, forMs: 20_000 }],
    ['at=2s clients:drop 25%', { kind: 'clients:drop', share: 0.25 }],
    ['at=2s clients:drop', { kind: 'clients:drop', share: 0.5 }],
    ['at=2s redis:kill-subscriber buffer', { kind: 'redis:kill-subscriber', viaBuffer: true }],
    ['at=random consumer:kill', { kind: 'consumer:kill', atMs: 'random' }],
    ['at=1s net:latency 50ms±10 link=redis', { latency: { ms: 50, jitterMs: 10 }, link: 'redis', forMs: 5000 }],
    ['at=1s net:bandwidth 64kB/s for=2s link=postgres', { bytesPerSecond: 64_000, forMs: 2000 }],
    ['at=1s  net:cut 3s   link=clients', { kind: 'net:cut', forMs: 3000, link: 'clients' }],
  ])('%s', (spec, parsed) => {
    expect(parseFault(spec)).toMatchObject(parsed);
  });

  test.each([
    ['at=10s redis:restrat', /unknown fault kind 'redis:restrat'[^]*Did you mean 'redis:restart'/],
    ['at=10s postgres:frieze 5s', /Did you mean 'postgres:freeze'/],
    ['at=ten redis:restart', /at 'ten' is not a duration/],
    ['redis:restart', /no start time \(at=TIME\)/],
    ['at=1s', /no fault kind/],
    ['at=1s consumer:kill 5s', /consumer:kill takes no argument/],
    ['at=1s postgres:stop soon', /postgres:stop's length 'soon' is not a duration/],
    ['at=1s clients:drop 150%', /'150%' is not a share of the clients/],
    ['at=1s redis:kill-subscriber slowly', /'slowly' is not how a subscriber is dropped/],
    ['at=1s net:cut 3s', /net:cut needs the link it acts on/],
    ['at=1s net:cut 3s link=kafka', /unknown link 'kafka'/],
    ['at=1s redis:restart link=redis', /acts on a process, not a link/],
    ['at=1s net:latency link=redis', /net:latency needs a latency/],
    ['at=1s redis:restart when=now', /unknown field 'when='/],
  ])('%s is refused, saying what is wrong', (spec, message) => {
    expect(() => parseFault(spec)).toThrow(message);
    expect(() => parseFault(spec)).toThrow(expect.objectContaining({ code: 'RUN_FAULT', exitCode: 2 }));
  });

  test('one seed places at=random faults the same way each time, inside the load, and names each', () => {
    const specs = ['at=random redis:restart', 'at=random redis:restart', 'at=1s net:cut 1s link=clients'].map(parseFault);
    const placed = placeFaults(specs, 10, seed);
    expect(placeFaults(specs, 10, seed)).toEqual(placed);
    expect(placed.map((f) => f.label)).toEqual(['redis_restart', 'redis_restart_2', 'net_cut_clients']);
    for (const f of placed.slice(0, 2)) {
      expect(f.atMs).toBeGreaterThanOrEqual(1000);
      expect(f.atMs).toBeLessThanOrEqual(7000);
    }
    expect(() => placeFaults([parseFault('at=12s redis:restart')], 10, seed)).toThrow(/starts at 12 s, but the load lasts 10 s/);
  });

  test('process faults only on what the run started; link faults on an external consumer need --allow-faults', () => {
    const plan = (faults: string[], target: object) =>
      resolvePlan(overlayScenario({}, { faults, target, load: { duration: 5 } }));
    expect(plan(['at=1s redis:restart'], { start: 'reference' }).faults).toHaveLength(1);
    expect(() => plan(['at=1s redis:restart'], { socketio_url: 'http://x' })).toThrow(/acts on a process this run did not start/);
    expect(() => plan(['at=1s net:cut 1s link=clients'], {})).toThrow(/need --allow-faults/);
    expect(() => plan(['at=1s net:cut 1s link=redis'], { allow_faults: true })).toThrow(/does not sit on this consumer's redis link/);
    // With a link port, the consumer connects to Redis through the run: its link can be faulted.
    const proxied = { allow_faults: true, redis_url: 'redis://127.0.0.1:6379', link_ports: { redis: 16379 } };
    expect(plan(['at=1s net:cut 1s link=redis'], proxied).target.linkPorts).toEqual({ redis: 16379 });
    expect(() => plan(['at=1s net:cut 1s link=postgres'], proxied)).toThrow(/postgres link/);
    expect(() => plan([], { link_ports: { postgres: 15432 } })).toThrow(/no --database-url to proxy to/);
    expect(() => plan([], { start: 'reference', link_ports: { redis: 16379 } })).toThrow(/already sits on the links/);
    expect(plan(['at=1s net:cut 1s link=clients'], { allow_faults: true }).faults).toHaveLength(1);
    expect(() => plan(['at=9s consumer:kill'], { start: 'reference' })).toThrow(/starts at 9 s/);
  });

  test('a scenario file lists faults; --fault replaces them', () => {
    const file = { faults: ['at=1s redis:restart'], target: { start: 'reference' as const } };
    expect(resolvePlan(overlayScenario(file, {})).faults.map((f) => f.kind)).toEqual(['redis:restart']);
    expect(resolvePlan(overlayScenario(file, { faults: ['at=2s consumer:kill'] })).faults.map((f) => f.kind)).toEqual([
      'consumer:kill',
    ]);
  });
});

describe('thresholds on faults', () => {
  const values = {
    errors_lost: 0,
    faults: { redis_restart: { recovery: 420, lost: 3 }, consumer_kill: { recovery: null, lost: 9 } },
  } as unknown as MetricValues;
  test('recovery.FAULT (ms, or with a unit), lost.FAULT and lost.errors are judged', () => {
    const faults = ['redis_restart', 'consumer_kill'];
    const results = evaluateThresholds(
      ['recovery.redis_restart < 1s', 'recovery.redis_restart < 400', 'lost.redis_restart <= 3', 'lost.errors == 0', 'recovery.consumer_kill < 5000'].map(
        (e) => parseThreshold(e, faults),
      ),
      values,
    );
    expect(results.map((r) => [r.value, r.ok])).toEqual([
      [420, true],
      [420, false],
      [3, true],
      [0, true],
      [null, false],
    ]);
  });
  test('a fault the run does not schedule is refused with the nearest one', () => {
    expect(() => parseThreshold('recovery.redis_restrat < 1s', ['redis_restart'])).toThrow(
      /no scheduled fault 'redis_restrat'[^]*did you mean 'redis_restart'/,
    );
    expect(() => parseThreshold('recovery.redis_restart < 1s')).toThrow(/schedule one with --fault/);
  });
});
