import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CHANNELS } from '../../src/contract/channels.ts';
import type { ErrorMessage } from '../../src/contract/schemas/error-message.ts';

/** A valid spec 004 error message, timestamped now, with a unique error_id. */
export function errorMessage(overrides: Partial<ErrorMessage> & { symbol?: string } = {}): ErrorMessage {
  const { symbol = 'AAPL', ...rest } = overrides;
  const now = new Date().toISOString().replace('Z', '');
  return {
    error_id: `Test_${randomUUID()}`,
    error_type: 'PatternDetectionError',
    error_message: 'Pattern detection failed for Doji: Insufficient data',
    error_traceback: 'Traceback (most recent call last): ...',
    severity: 'error',
    category: 'pattern',
    context: {
      component: 'PatternDetector',
      operation: 'detect_doji',
      symbol,
      timeframe: 'daily',
      metadata: {},
      timestamp: now,
    },
    timestamp: now,
    ...rest,
  };
}

export const publishError = (redis: Redis, message: unknown): Promise<number> =>
  redis.publish(CHANNELS.errors, typeof message === 'string' ? message : JSON.stringify(message));

/** Collects every `event` a socket receives, in order. */
export function collect<T>(
  socket: { on(event: string, listener: (payload: T) => void): unknown },
  event: string,
): T[] {
  const got: T[] = [];
  socket.on(event, (payload) => got.push(payload));
  return got;
}
