import type pg from 'pg';
import { checkpointEvent } from '../bus/events-sink.ts';
import { publishEvents } from '../bus/event-publisher.ts';
import { CHANNELS } from '../contract/channels.ts';
import { CHECKPOINTS, INTEGRATION_EVENT_TYPES, SOURCE_SYSTEMS } from '../contract/checkpoints.ts';
import type { ProducerHeartbeatDetails } from '../contract/schemas/heartbeats.ts';
import type { PatternEvent } from '../contract/schemas/pattern-event.ts';
import type { Random } from '../shared/seeded-random.ts';
import type { CheckpointRecord } from '../tracking/checkpoint-record.ts';
import { recordPublished } from './pattern-publisher.ts';

/** Where the producer records PATTERN_PUBLISHED and PRODUCER_ALIVE. */
export interface ProducerRecorder {
  published(events: readonly PatternEvent[]): Promise<void>;
  heartbeat(details: ProducerHeartbeatDetails): Promise<void>;
}

/** Spec 001 exactly: log_integration_event() into integration_events. */
export function integrationRecorder(db: pg.Pool, random: Random): ProducerRecorder {
  return {
    published: (events) => recordPublished(db, events),
    heartbeat: async (details) => {
      await db.query('SELECT log_integration_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
        random.uuid(),
        'heartbeat',
        'TickStockPL',
        'PRODUCER_ALIVE',
        null,
        null,
        null,
        null,
        null,
        JSON.stringify(details),
      ]);
    },
  };
}

const producerCheckpoint = (
  at: number,
  fields: Partial<CheckpointRecord> & Pick<CheckpointRecord, 'checkpoint' | 'eventType'>,
): CheckpointRecord => ({
  at,
  source: SOURCE_SYSTEMS.producer,
  flowId: null,
  channel: null,
  symbol: null,
  pattern: null,
  confidence: null,
  userCount: null,
  latencyMs: null,
  details: null,
  ...fields,
});

/** Spec 003: the same checkpoints as events on the bus, the flow_id as correlation id. */
export function eventsRecorder(db: pg.Pool): ProducerRecorder {
  return {
    published: async (events) => {
      await publishEvents(
        db,
        events.map((e) =>
          checkpointEvent(
            producerCheckpoint(e.timestamp * 1000, {
              checkpoint: CHECKPOINTS.patternPublished,
              eventType: INTEGRATION_EVENT_TYPES.patternDetected,
              flowId: e.data.flow_id,
              channel: CHANNELS.patterns,
              symbol: e.data.symbol,
              pattern: e.data.pattern,
              confidence: e.data.confidence,
              details: { tier: e.data.tier ?? null },
            }),
          ),
        ),
      );
    },
    heartbeat: async (details) => {
      await publishEvents(db, [
        checkpointEvent(
          producerCheckpoint(Date.now(), {
            checkpoint: CHECKPOINTS.producerAlive,
            eventType: INTEGRATION_EVENT_TYPES.heartbeat,
            details: { ...details },
          }),
        ),
      ]);
    },
  };
}

export function bothRecorders(a: ProducerRecorder, b: ProducerRecorder): ProducerRecorder {
  return {
    published: async (events) => void (await Promise.all([a.published(events), b.published(events)])),
    heartbeat: async (details) => void (await Promise.all([a.heartbeat(details), b.heartbeat(details)])),
  };
}

/** The recorder for the tracking sink in use (TRACKING_SINK), so both sides record to the same place. */
export function recorderFor(
  sink: 'integration_events' | 'events' | 'both',
  db: pg.Pool,
  random: Random,
): ProducerRecorder {
  if (sink === 'events') return eventsRecorder(db);
  if (sink === 'both') return bothRecorders(integrationRecorder(db, random), eventsRecorder(db));
  return integrationRecorder(db, random);
}
