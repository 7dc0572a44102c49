import { Type, type Static } from '@sinclair/typebox';
import { UnixSeconds } from './common.ts';

const Count = Type.Integer({ minimum: 0 });
const LastTime = Type.Union([UnixSeconds('Last event time'), Type.Null()]);

/** integration_events.details of PRODUCER_ALIVE (spec 001 §2). */
export const ProducerHeartbeatDetails = Type.Object(
  { patterns_detected: Count, uptime_seconds: Count, last_pattern_time: LastTime },
  { $id: 'ProducerHeartbeatDetails', title: 'Producer heartbeat details' },
);

/** integration_events.details of SUBSCRIBER_ALIVE (spec 000 §3). */
export const SubscriberHeartbeatDetails = Type.Object(
  {
    subscribed_channels: Type.Array(Type.String()),
    events_received: Count,
    events_processed: Count,
    events_forwarded: Count,
    connection_errors: Count,
    uptime_seconds: Type.Number({ minimum: 0 }),
    last_event_time: LastTime,
  },
  { $id: 'SubscriberHeartbeatDetails', title: 'Subscriber heartbeat details' },
);

export type ProducerHeartbeatDetails = Static<typeof ProducerHeartbeatDetails>;
export type SubscriberHeartbeatDetails = Static<typeof SubscriberHeartbeatDetails>;
