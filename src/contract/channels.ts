/** The Redis pub-sub channels of specs 001 and 004, and the heartbeat key. */
export const CHANNELS = {
  patterns: 'tickstock.events.patterns',
  backtestProgress: 'tickstock.events.backtesting.progress',
  backtestResults: 'tickstock.events.backtesting.results',
  health: 'tickstock.health.status',
  errors: 'tickstock:errors',
} as const;

export type ChannelName = (typeof CHANNELS)[keyof typeof CHANNELS];
export const ALL_CHANNELS: readonly ChannelName[] = Object.values(CHANNELS);

/** A plain string holding Unix seconds (spec 001 §2: `SET tickstock:producer:heartbeat time.time()`). */
export const PRODUCER_HEARTBEAT_KEY = 'tickstock:producer:heartbeat';

export function isChannelName(name: string): name is ChannelName {
  return (ALL_CHANNELS as readonly string[]).includes(name);
}
