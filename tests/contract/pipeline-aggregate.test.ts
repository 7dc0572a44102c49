import { Value } from '@sinclair/typebox/value';
import { describe, expect, test } from 'vitest';
import { ConsumerStats } from '../../src/consumer/consumer-stats.ts';
import { startPipelineAggregate, type PipelineReads } from '../../src/consumer/pipeline-aggregate.ts';
import { PipelineAggregate, type StoredFigures } from '../../src/contract/schemas/pipeline-aggregate.ts';
import { NullSink } from '../../src/tracking/null-sink.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { captureLogs } from '../support/log-capture.ts';

const STORED: StoredFigures = {
  windowSeconds: 60,
  settleSeconds: 3,
  flowsReadAt: '2025-01-01T00:00:00.000Z',
  flows: { complete: 5, incomplete: 1 },
  incomplete: [],
  rejected: [],
  hops: [],
  producer: { keyAgeSeconds: 2, aliveAgeSeconds: null },
  consumerAliveAgeSeconds: null,
  subscribers: [{ channel: 'tickstock.events.patterns', subscribers: 1 }],
  unavailable: [],
};

/** An aggregate over stores whose reads the test answers by hand. */
function aggregateWith(listeners: () => number) {
  const clock = new FakeClock();
  const stats = new ConsumerStats();
  const pending: ((figures: StoredFigures) => void)[] = [];
  const reads: PipelineReads = {
    read: () => new Promise((resolve) => pending.push(resolve)),
    close: () => undefined,
  };
  const sent: PipelineAggregate[] = [];
  const aggregate = startPipelineAggregate({
    stats,
    sink: new NullSink(),
    clock,
    logger: captureLogs().logger,
    reads,
    listeners,
    emit: (a) => sent.push(a),
  });
  return { clock, stats, pending, sent, aggregate };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the pipeline aggregate', () => {
  test('reads nothing while no dashboard is connected', () => {
    const { clock, pending, sent, aggregate } = aggregateWith(() => 0);
    clock.advance(10_000);
    expect(pending.length).toBe(0);
    expect(sent.length).toBe(0);
    aggregate.stop();
    expect(clock.pending()).toBe(0);
  });

  test('one read a second whatever the number of dashboards, never two at once', async () => {
    const { clock, stats, pending, sent, aggregate } = aggregateWith(() => 50);
    clock.advance(1000);
    stats.eventsReceived = 40;
    stats.eventsForwarded = 30;
    clock.advance(1000); // the first read has not answered: no second one
    expect(pending.length).toBe(1);
    pending.shift()!(STORED);
    await settle();
    expect(sent.length).toBe(1);
    expect(Value.Errors(PipelineAggregate, sent[0]).First()).toBeUndefined();
    // Counted from the start (a sample at 0 s), not from the first tick.
    expect(sent[0]!.rates).toEqual({ seconds: 2, receivedPerSecond: 20, deliveredPerSecond: 15 });
    clock.advance(1000);
    expect(pending.length).toBe(1);
    aggregate.stop();
    pending.shift()!(STORED);
    await settle();
    expect(sent.length).toBe(1); // nothing sent after stop()
  });
});
