import { describe, expect, test } from 'vitest';
import type { PatternEvent } from '../../src/contract/schemas/pattern-event.ts';
import { createSendQueue, RECORDINGS_IN_FLIGHT, type DueEvent } from '../../src/sim/send-queue.ts';

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

const turns = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('the send queue: record, then publish, in schedule order', () => {
  test('several recordings run at once; each batch goes out once its own is recorded, never before an earlier batch', async () => {
    const recorder = handRecorder();
    const published: string[] = [];
    const queue = createSendQueue({
      record: recorder.record,
      publish: (batch) => {
        published.push(...batch.map((d) => d.event.data.flow_id));
        return Promise.resolve();
      },
      recordWaitMs: 60_000,
    });
    for (let n = 1; n <= RECORDINGS_IN_FLIGHT + 2; n++) queue.enqueue([due(n)]);
    // One statement per batch up to the limit; the rest wait, to go as one statement.
    expect(recorder.recordings.map((r) => r.ids)).toEqual(
      Array.from({ length: RECORDINGS_IN_FLIGHT }, (_, i) => [String(i + 1)]),
    );
    recorder.recordings[1]!.settle(); // the second recorded first: it waits for the first
    await turns();
    expect(published).toEqual([]);
    // Its slot went to the waiting batches, as one statement.
    expect(recorder.recordings[RECORDINGS_IN_FLIGHT]!.ids).toEqual([
      String(RECORDINGS_IN_FLIGHT + 1),
      String(RECORDINGS_IN_FLIGHT + 2),
    ]);
    recorder.recordings[0]!.settle();
    await turns();
    expect(published).toEqual(['1', '2']);
    const flushed = queue.flushed();
    for (const r of recorder.recordings.slice(2)) r.settle();
    await flushed;
    expect(published).toEqual(Array.from({ length: RECORDINGS_IN_FLIGHT + 2 }, (_, i) => String(i + 1)));
  });

  test('a recording past recordWaitMs: its batch goes out anyway, later ones as they fall due, recorded afterwards in one statement', async () => {
    const recorder = handRecorder();
    const published: string[] = [];
    const queue = createSendQueue({
      record: recorder.record,
      publish: (batch) => {
        published.push(...batch.map((d) => d.event.data.flow_id));
        return Promise.resolve();
      },
      recordWaitMs: 20,
    });
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
