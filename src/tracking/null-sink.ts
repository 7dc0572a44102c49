import type { CheckpointSink, SinkStats } from './checkpoint-record.ts';

/** Records nothing at all: the baseline that tracking's cost is measured against. */
export class NullSink implements CheckpointSink {
  record(): void {}
  drain(): Promise<void> {
    return Promise.resolve();
  }
  stats(): SinkStats {
    return { buffered: 0, written: 0, dropped: 0, refused: 0, failedWrites: 0 };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
