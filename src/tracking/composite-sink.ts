import type { CheckpointRecord, CheckpointSink, SinkStats } from './checkpoint-record.ts';

/** Every checkpoint to each sink (tracking into integration_events and the events bus at once). */
export class CompositeSink implements CheckpointSink {
  constructor(private readonly sinks: readonly CheckpointSink[]) {}

  record(row: CheckpointRecord): void {
    for (const sink of this.sinks) sink.record(row);
  }

  async drain(timeoutMs: number): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.drain(timeoutMs)));
  }

  /** Summed over the sinks: `written` counts a checkpoint once per sink it reached. */
  stats(): SinkStats {
    const all = this.sinks.map((s) => s.stats());
    const sum = (k: keyof SinkStats) => all.reduce((n, s) => n + s[k], 0);
    return {
      buffered: sum('buffered'),
      written: sum('written'),
      dropped: sum('dropped'),
      refused: sum('refused'),
      failedWrites: sum('failedWrites'),
    };
  }

  async close(timeoutMs?: number): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close(timeoutMs)));
  }
}
