import type { Logger } from '../shared/logger.ts';
import type { CheckpointRecord, CheckpointSink, SinkStats } from './checkpoint-record.ts';

/**
 * Tracking off (ENABLE_INTEGRATION_TRACKING=false): no database writes, one structured line per
 * checkpoint with the fields of spec 002 Phase 4.
 */
export class LogSink implements CheckpointSink {
  private written = 0;

  constructor(private readonly logger: Logger) {}

  record(row: CheckpointRecord): void {
    this.written += 1;
    this.logger.info(
      {
        event: 'checkpoint',
        flow_id: row.flowId,
        checkpoint: row.checkpoint,
        symbol: row.symbol,
        latency_ms: row.latencyMs === null ? null : Math.round(row.latencyMs * 100) / 100,
        source: row.source,
        channel: row.channel,
        at: new Date(row.at).toISOString(),
      },
      'pattern.flow',
    );
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  stats(): SinkStats {
    return { buffered: 0, written: this.written, dropped: 0, refused: 0, failedWrites: 0 };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
