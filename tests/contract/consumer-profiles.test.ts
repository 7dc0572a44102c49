import { describe, expect, test } from 'vitest';
import { CONSUMER_PROFILES, findProfile } from '../../src/contract/consumer-profiles.ts';
import { findKey, valueAt } from '../../src/contract/json-path.ts';

const published = {
  event_type: 'pattern_detected',
  source: 'TickStockPL',
  timestamp: 1_796_000_000.25,
  data: { symbol: 'AAPL', pattern: 'Doji', confidence: 0.9, flow_id: 'f-1', tier: 'daily' },
};

describe('consumer profiles: where a client finds the flow id and the publish time', () => {
  test('spec: the pattern_alert payload is the published event', () => {
    const p = CONSUMER_PROFILES['spec']!.patterns;
    expect(valueAt(published, p.flowIdPath!)).toBe('f-1');
    expect(valueAt(published, p.sentAtPath)).toBe(1_796_000_000.25);
  });

  test("tickstockappv2: the published message sits in event_data.data, and the payload's own timestamp is the server's", () => {
    const pushed = {
      type: 'pattern_alert',
      pattern: 'Doji',
      symbol: 'AAPL',
      event_data: { type: 'pattern_detected', data: published },
      timestamp: 1_796_000_000.9,
    };
    const profile = CONSUMER_PROFILES['tickstockappv2']!;
    expect(valueAt(pushed, profile.patterns.flowIdPath!)).toBe('f-1');
    expect(valueAt(pushed, profile.patterns.sentAtPath)).toBe(1_796_000_000.25);
    expect(profile.checkpoints).toEqual([]);
    expect(profile.errors).toBeNull();
    // Without a path, the nearest flow_id anywhere in the payload.
    expect(findKey(pushed, 'flow_id')).toBe('f-1');
  });

  test('paths never read inherited keys; a missing key is undefined', () => {
    expect(valueAt({ a: 1 }, 'a.b')).toBeUndefined();
    expect(valueAt({}, 'constructor')).toBeUndefined();
    expect(findKey({ a: [{ b: { flow_id: 7 } }, { flow_id: 'x' }] }, 'flow_id')).toBe('x');
  });

  test('an unknown profile name comes back with the nearest known one', () => {
    expect(findProfile('tickstockappv3')).toEqual({ nearest: 'tickstockappv2' });
    expect(findProfile('spec').profile?.name).toBe('spec');
  });
});
