import { describe, expect, test } from 'vitest';
import type { PatternEvent } from '../../src/contract/schemas/pattern-event.ts';
import { createSendQueue, type DueEvent } from '../../src/sim/send-queue.ts';

const due = (n: number): DueEvent => ({
  event: { data: { flow_id: String(n) } } as PatternEvent,
  scheduledAt: n,
});
const ids = (events: readonly { data: { flow_id: string } }[]): string[] => events.map((e) => e.data.flow_id);

/** A recording the test settles by hand, in any order. */
function handRecorder() {
  const recordings: { ids: string[]; settle: () => void }[] = [];
  return {
    recordings,
    record: (events: readonly PatternEvent[]) =>
      new Promise<void>((settle) => recordings.push({ ids: ids(events), settle })),
  };
}

/** A queue recording by hand, and what it published, in order. */
function queueWith(recordWaitMs: number) {
  const recorder = handRecorder();
  const published: string[] = [];
  const queue = createSendQueue({
    record: recorder.record,
    publish: (batch) => {
      published.push(...batch.map((d) => d.event.data.flow_id));
      return Promise.resolve();
    },
    recordWaitMs,
  });
  return { recorder, published, queue };
}

const turns = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('the send queue: record, then publish, in schedule order', () => {
  test('one recording at a time: what falls due meanwhile goes as one statement after it, each batch published once its own is recorded', async () => {
    const { recorder, published, queue } = queueWith(60_000);
    queue.enqueue([due(1)]);
    queue.enqueue([due(2)]);
    queue.enqueue([due(3)]);
    expect(recorder.recordings.map((r) => r.ids)).toEqual([['1']]);
    await turns();
    expect(published).toEqual([]); // not before its PATTERN_PUBLISHED is recorded
    recorder.recordings[0]!.settle();
    await turns();
    expect(published).toEqual(['1']);
    expect(recorder.recordings[1]!.ids).toEqual(['2', '3']);
    const flushed = queue.flushed();
    recorder.recordings[1]!.settle();
    await flushed;
    expect(published).toEqual(['1', '2', '3']);
  });

  test('a recording past recordWaitMs: its batch goes out anyway, later ones as they fall due, recorded afterwards in one statement', async () => {
    const { recorder, published, queue } = queueWith(20);
    queue.enqueue([due(1)]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(published).toEqual(['1']); // not recorded, published on time
    queue.enqueue([due(2)]);
    queue.enqueue([due(3)]);
    await turns();
    expect(published).toEqual(['1', '2', '3']);
    expect(recorder.recordings).toHaveLength(1); // nothing recorded while the database is slow
    const flushed = queue.flushed();
    recorder.recordings[0]!.settle();
    await turns();
    expect(recorder.recordings[1]!.ids).toEqual(['2', '3']);
    recorder.recordings[1]!.settle();
    await flushed;
    expect(published).toEqual(['1', '2', '3']);
  });
});
