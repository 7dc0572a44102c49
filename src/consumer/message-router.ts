import { CHANNELS } from '../contract/channels.ts';
import { validateMessage } from '../contract/validate.ts';
import type { Logger } from '../shared/logger.ts';
import type { ConsumerStats } from './consumer-stats.ts';

export interface RouterTargets {
  pattern(verdict: ReturnType<typeof validateMessage>, receivedAt: number): void;
  /** Valid backtest and health messages, forwarded as they are. */
  forward(kind: 'backtest_progress' | 'backtest_result' | 'health_status', message: unknown): void;
  error(verdict: ReturnType<typeof validateMessage>, receivedAt: number): void;
}

/** Decodes every message once, by the channel it came on, and hands it to its handler. Never throws. */
export function createMessageRouter(targets: RouterTargets, stats: ConsumerStats, logger: Logger) {
  return function route(channel: string, payload: Buffer, receivedAt: number): void {
    stats.eventsReceived += 1;
    stats.lastEventTime = receivedAt / 1000;
    try {
      const verdict = validateMessage(payload, { channel });
      if (channel === CHANNELS.patterns) return targets.pattern(verdict, receivedAt);
      if (channel === CHANNELS.errors) return targets.error(verdict, receivedAt);
      if (!verdict.ok) {
        stats.eventsRejected += 1;
        logger.warn({ channel, violations: verdict.violations }, 'message rejected');
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
}
