import { CHANNELS } from '../contract/channels.ts';
import { extractFlowId, validateMessage, type Rejection } from '../contract/validate.ts';
import type { TimerClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { WarningThrottle } from '../tracking/warning-throttle.ts';
import type { ConsumerStats } from './consumer-stats.ts';
import { slicedQueue } from './sliced-queue.ts';

/** Rejections of one channel and reason after the first are summed up in one line at most this often. */
export const REJECTION_LOG_INTERVAL_MS = 5000;
/** Messages are handled in slices of this long at most, with I/O (HTTP, sockets) between. */
const SLICE_MS = 5;
/** Violations quoted in a rejection's log line: the first few name the problem. */
const VIOLATIONS_LOGGED = 3;

interface Received {
  readonly channel: string;
  readonly payload: Buffer;
  readonly receivedAt: number;
}

export interface RouterTargets {
  pattern(verdict: ReturnType<typeof validateMessage>, receivedAt: number): void;
  /** Valid backtest and health messages, forwarded as they are. */
  forward(kind: 'backtest_progress' | 'backtest_result' | 'health_status', message: unknown): void;
  error(verdict: ReturnType<typeof validateMessage>, receivedAt: number): void;
}

/**
 * Rejected messages in the log without a line each (10,000 garbage messages were 2.7 MB of logs): per
 * channel and reason (the first violation's code), the first is logged at once and the rest are
 * counted into one line when the interval ends. The exact counts are the consumer's counters.
 */
function rejectionLog(clock: TimerClock, logger: Logger) {
  const throttle = new WarningThrottle<string>(clock, REJECTION_LOG_INTERVAL_MS, (message, fields) =>
    logger.warn(fields, message),
  );
  return {
    note(channel: string, rejection: Rejection): void {
      const reason = rejection.violations[0]?.code ?? 'UNKNOWN';
      throttle.warn(`${channel} ${reason}`, 'message rejected', {
        channel,
        reason,
        flow_id: extractFlowId(rejection.value) ?? null,
        violations: rejection.violations.slice(0, VIOLATIONS_LOGGED),
      });
    },
    close: () => throttle.flush(),
  };
}

/** Decodes every message once, by the channel it came on, and hands it to its handler. Never throws. */
export function createMessageRouter(
  targets: RouterTargets,
  deps: { stats: ConsumerStats; clock: TimerClock; logger: Logger },
) {
  const { stats, logger } = deps;
  const rejections = rejectionLog(deps.clock, logger);
  const handle = ({ channel, payload, receivedAt }: Received): void => {
    stats.eventsReceived += 1;
    stats.lastEventTime = receivedAt / 1000;
    try {
      const verdict = validateMessage(payload, { channel });
      if (!verdict.ok) rejections.note(channel, verdict);
      if (channel === CHANNELS.patterns) return targets.pattern(verdict, receivedAt);
      if (channel === CHANNELS.errors) return targets.error(verdict, receivedAt);
      if (!verdict.ok) {
        stats.eventsRejected += 1;
        return;
      }
      if (
        verdict.kind === 'backtest_progress' ||
        verdict.kind === 'backtest_result' ||
        verdict.kind === 'health_status'
      ) {
        stats.eventsProcessed += 1;
        targets.forward(verdict.kind, verdict.message);
        stats.eventsForwarded += 1;
      }
    } catch (error) {
      // A bug of ours, not bad input (the validator never throws): log it, keep consuming.
      logger.error({ err: (error as Error).stack, channel }, 'message handler failed');
    }
  };
  const queue = slicedQueue(handle, SLICE_MS);
  return {
    route: (channel: string, payload: Buffer, receivedAt: number): void =>
      queue.push({ channel, payload, receivedAt }),
    /** Handles every message received so far, then says the rejections held back. */
    close(): void {
      queue.flush();
      rejections.close();
    },
  };
}
