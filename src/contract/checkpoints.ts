/** Checkpoint names recorded in integration_events.checkpoint (specs 000, 001). */
export const CHECKPOINTS = {
  patternPublished: 'PATTERN_PUBLISHED',
  eventReceived: 'EVENT_RECEIVED',
  eventParsed: 'EVENT_PARSED',
  websocketDelivered: 'WEBSOCKET_DELIVERED',
  /** Ours: a message that failed validation, recorded against its flow so the flow shows where it stopped. */
  eventRejected: 'EVENT_REJECTED',
  producerAlive: 'PRODUCER_ALIVE',
  subscriberAlive: 'SUBSCRIBER_ALIVE',
  channelSubscribed: 'CHANNEL_SUBSCRIBED',
  subscriptionConfirmed: 'SUBSCRIPTION_CONFIRMED',
  /** Ours: the subscriber reconnected to Redis and resubscribed. */
  redisReconnected: 'REDIS_RECONNECTED',
} as const;

export type Checkpoint = (typeof CHECKPOINTS)[keyof typeof CHECKPOINTS];

/** The four checkpoints of a complete pattern flow, in order. */
export const PATTERN_FLOW_PATH = [
  CHECKPOINTS.patternPublished,
  CHECKPOINTS.eventReceived,
  CHECKPOINTS.eventParsed,
  CHECKPOINTS.websocketDelivered,
] as const;

/** integration_events.event_type values (spec 000 "Event Types Supported", lower case as its queries use). */
export const INTEGRATION_EVENT_TYPES = {
  patternDetected: 'pattern_detected',
  heartbeat: 'heartbeat',
  subscriptionActive: 'subscription_active',
  subscriptionConfirmed: 'subscription_confirmed',
  connection: 'connection',
} as const;

export type IntegrationEventType = (typeof INTEGRATION_EVENT_TYPES)[keyof typeof INTEGRATION_EVENT_TYPES];

/** integration_events.source_system values. */
export const SOURCE_SYSTEMS = { producer: 'TickStockPL', consumer: 'TickStockAppV2' } as const;
