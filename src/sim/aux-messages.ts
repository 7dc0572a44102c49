import { pubSubOf, type PubSubClient } from '../services/pubsub-transport.ts';
import { CHANNELS } from '../contract/channels.ts';
import type { BacktestProgress, BacktestResult } from '../contract/schemas/backtesting.ts';
import type { HealthStatus } from '../contract/schemas/health-status.ts';
import type { MessageShaper } from '../contract/message-shapes.ts';
import type { Clock } from '../shared/clock.ts';
import type { Random } from '../shared/seeded-random.ts';
import { settleWithin } from '../shared/settle-within.ts';

const STEPS = 10;
const IN_FLIGHT_WAIT_MS = 1000;

/**
 * Backtest jobs (progress in tenths, then a result) and health status, each at its own rate
 * (messages per second; 0 turns it off); backtest messages in the shape the consumer accepts (`shape`).
 */
export function startAuxMessages(
  deps: {
    redis: PubSubClient;
    clock: Clock;
    random: Random;
    shape: MessageShaper;
    observe: (channel: string, receivers: number) => void;
  },
  rates: { readonly backtest: number; readonly health: number },
): { stop: () => Promise<void>; sent: () => number } {
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  let job = 0;
  let step = 0;
  const publish = async (channel: string, message: unknown): Promise<void> => {
    const receivers = await pubSubOf(deps.redis).publish(channel, JSON.stringify(message));
    sent += 1;
    deps.observe(channel, receivers);
  };
  const seconds = () => deps.clock.now() / 1000;
  const backtest = async (): Promise<void> => {
    const jobId = `sim-backtest-${job}`;
    step += 1;
    if (step <= STEPS) {
      const progress: BacktestProgress = {
        event_type: 'backtest_progress',
        source: 'TickStockPL',
        timestamp: seconds(),
        data: {
          job_id: jobId,
          progress: step / STEPS,
          status: step === STEPS ? 'completed' : 'running',
          current_symbol: deps.random.pick(['AAPL', 'MSFT', 'NVDA']),
        },
      };
      await publish(CHANNELS.backtestProgress, deps.shape.backtestProgress(progress));
      return;
    }
    const result: BacktestResult = {
      event_type: 'backtest_result',
      source: 'TickStockPL',
      timestamp: seconds(),
      data: {
        job_id: jobId,
        status: 'completed',
        results: { win_rate: Math.round(deps.random.next() * 100) / 100, trades: deps.random.int(10, 500) },
      },
    };
    await publish(CHANNELS.backtestResults, deps.shape.backtestResult(result));
    job += 1;
    step = 0;
  };
  const health = async (): Promise<void> => {
    const status: HealthStatus = {
      event_type: 'health_status',
      source: 'TickStockPL',
      timestamp: seconds(),
      data: {
        status: 'healthy',
        components: { redis: { status: 'healthy' }, database: { status: 'healthy' } },
        uptime_seconds: Math.floor(process.uptime()),
      },
    };
    await publish(CHANNELS.health, status);
  };
  const tracked = (send: () => Promise<void>) => (): void => {
    const sending = send().catch(() => undefined);
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  };
  const timers = [
    rates.backtest > 0 ? setInterval(tracked(backtest), 1000 / rates.backtest) : undefined,
    rates.health > 0 ? setInterval(tracked(health), 1000 / rates.health) : undefined,
  ];
  return {
    /**
     * No more messages; resolves once those on their way are counted (a report must not miss one), or
     * after a second with Redis away.
     */
    stop: async () => {
      timers.forEach((t) => clearInterval(t));
      await settleWithin(Promise.all(inFlight), IN_FLIGHT_WAIT_MS);
    },
    sent: () => sent,
  };
}
