import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { PATTERN_FLOW_PATH } from '../../src/contract/checkpoints.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { publishOnce } from '../../src/sim/publish-once.ts';
import { flowCheckpoints, startFlowRig, type FlowRig } from '../support/flow-rig.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { nextEvent } from '../support/socket-wait.ts';

const services = useIsolatedServices();
const random = seededRandom(inject('seed'));
let rig: FlowRig;
beforeAll(async () => {
  rig = await startFlowRig(services);
});
afterAll(() => rig.close());

describe('one pattern, end to end', () => {
  test('four checkpoints in order under one flow_id; the view says so; the browser gets the same flow', async () => {
    const browser = await rig.browser();
    const alert = nextEvent(browser, 'pattern_alert');
    const { event, receivers } = await publishOnce({
      redis: rig.redis,
      db: rig.pool,
      clock: systemClock,
      random,
    });
    expect(receivers).toBe(1);
    const received = await alert;
    expect(received.data.flow_id).toBe(event.data.flow_id);
    expect(received).toEqual(event);

    await rig.sink.drain(5000);
    expect(await flowCheckpoints(rig.pool, event.data.flow_id)).toEqual([...PATTERN_FLOW_PATH]);
    const { rows } = await rig.pool.query<Record<string, unknown>>(
      'SELECT * FROM pattern_flow_analysis WHERE flow_id = $1',
      [event.data.flow_id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      symbol: event.data.symbol,
      pattern_name: event.data.pattern,
      checkpoints_logged: '4',
      users_notified: 1,
      flow_path: [...PATTERN_FLOW_PATH],
    });
    expect(Number(rows[0]!['total_latency_ms'])).toBeLessThan(1000);
    browser.disconnect();
  });
});
