import { CHANNELS } from '../contract/channels.ts';
import { CHECKPOINTS, INTEGRATION_EVENT_TYPES } from '../contract/checkpoints.ts';
import type { PatternEvent } from '../contract/schemas/pattern-event.ts';
import { extractFlowId, type Verdict } from '../contract/validate.ts';
import type { Clock } from '../shared/clock.ts';
import type { CheckpointSink } from '../tracking/checkpoint-record.ts';
import { consumerCheckpoint } from './checkpoint-factory.ts';
import type { ConsumerStats } from './consumer-stats.ts';

export interface PatternDelivery {
  /** Emits to every connected browser; returns how many it was sent to. */
  emit(event: PatternEvent): number;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * Spec 000's flow, receive → parse → deliver, with a checkpoint at each step carrying the time it
 * happened. An invalid message stops at EVENT_RECEIVED plus EVENT_REJECTED (with its violations),
 * recorded against its flow when a flow_id can be found (up to a bound per second: a flood of garbage
 * is counted, not written row by row); it is never parsed or delivered.
 */
export function createPatternPipeline(deps: {
  sink: CheckpointSink;
  delivery: PatternDelivery;
  stats: ConsumerStats;
  clock: Clock;
  /** Whether this rejected message's checkpoints may be written (a bound per second on garbage's rows). */
  rejectedRows: () => boolean;
}) {
  const { sink, stats, clock } = deps;
  const channel = CHANNELS.patterns;
  const type = INTEGRATION_EVENT_TYPES.patternDetected;

  return function handle(verdict: Verdict, receivedAt: number): void {
    if (!verdict.ok) {
      stats.eventsRejected += 1;
      if (!deps.rejectedRows()) {
        stats.rejectedNotRecorded += 1;
        return;
      }
      const data = record(record(verdict.value)['data']);
      const fields = {
        flowId: extractFlowId(verdict.value) ?? null,
        channel,
        symbol: str(data['symbol']),
        pattern: str(data['pattern']),
      };
      sink.record(consumerCheckpoint(receivedAt, type, CHECKPOINTS.eventReceived, fields));
      sink.record(
        consumerCheckpoint(clock.now(), type, CHECKPOINTS.eventRejected, {
          ...fields,
          confidence: num(data['confidence']),
          details: { violations: verdict.violations.slice(0, 20) },
        }),
      );
      return;
    }
    if (verdict.kind !== 'pattern_detected') return;
    const event = verdict.message;
    const { flow_id: flowId, symbol, pattern, confidence } = event.data;
    const fields = { flowId, channel, symbol, pattern, confidence };
    const publishedToReceived = receivedAt - event.timestamp * 1000;
    sink.record(
      consumerCheckpoint(receivedAt, type, CHECKPOINTS.eventReceived, {
        ...fields,
        latencyMs: publishedToReceived,
        message: event,
      }),
    );
    const parsedAt = clock.now();
    sink.record(
      consumerCheckpoint(parsedAt, type, CHECKPOINTS.eventParsed, {
        ...fields,
        latencyMs: parsedAt - receivedAt,
      }),
    );
    stats.eventsProcessed += 1;
    const users = deps.delivery.emit(event);
    const deliveredAt = clock.now();
    stats.recordHop('published_to_received', publishedToReceived);
    stats.recordHop('received_to_parsed', parsedAt - receivedAt);
    if (users === 0) return; // nobody to deliver to: the flow stops at EVENT_PARSED (spec 000: "No users connected")
    stats.eventsForwarded += 1;
    stats.recordHop('parsed_to_delivered', deliveredAt - parsedAt);
    stats.recordHop('published_to_delivered', deliveredAt - event.timestamp * 1000);
    sink.record(
      consumerCheckpoint(deliveredAt, type, CHECKPOINTS.websocketDelivered, {
        ...fields,
        userCount: users,
        latencyMs: deliveredAt - parsedAt,
      }),
    );
  };
}
