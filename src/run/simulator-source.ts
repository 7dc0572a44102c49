import type { PubSubClient } from '../services/pubsub-transport.ts';
import type { ConsumerProfile } from '../contract/consumer-profiles.ts';
import type pg from 'pg';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { DEFAULT_MIX, type ErrorMix } from '../sim/error-generator.ts';
import { runErrorSimulation, type ErrorSimStats } from '../sim/error-simulator.ts';
import type { ProducerRecorder } from '../sim/producer-recorder.ts';
import type { Scenario } from '../sim/scenarios.ts';
import { createSimulator, DEFAULT_SIMULATOR } from '../sim/simulator.ts';
import type { LoadSource } from './run-load.ts';
import type { RunMix } from './run-plan.ts';

export interface SourceDeps {
  readonly redis: PubSubClient;
  readonly db: pg.Pool | undefined;
  readonly recorder: ProducerRecorder | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The simulator as a run's load source: it tells the run of each well-formed flow just before its
 * PUBLISH (malformed ones are no flow: the consumer must reject them), and beside it, the mix's errors.
 */
export function simulatorSource(
  deps: SourceDeps,
  options: {
    seed: number;
    idSeed: number;
    seconds: number;
    scenario: Scenario;
    mix: RunMix;
    /** The consumer under test: the mix's errors and backtest messages go out in the shape it accepts. */
    profile: ConsumerProfile;
  },
): LoadSource {
  let sent: (flowId: string, intendedAtMs: number) => void = () => undefined;
  const sim = createSimulator(
    {
      ...deps,
      onPublishing: (batch) =>
        batch.forEach((d) => d.malformed === undefined && sent(d.event.data.flow_id, d.scheduledAt)),
    },
    {
      ...DEFAULT_SIMULATOR,
      seed: options.seed,
      idSeed: options.idSeed,
      durationMs: options.seconds * 1000,
      scenario: options.scenario,
      heartbeatIntervalMs: options.mix.heartbeatSeconds * 1000,
      backtestRate: options.mix.backtestPerSecond,
      healthRate: options.mix.healthPerSecond,
      malformedShare: options.mix.malformedShare,
      profile: options.profile,
    },
  );
  const abort = new AbortController();
  const errorMix: ErrorMix = { ...DEFAULT_MIX, severities: options.mix.errorSeverities };
  return {
    run: async (onSent, onError, onUnheard) => {
      sent = onSent;
      const noErrors: ErrorSimStats | undefined = undefined;
      const [stats, errors] = await Promise.all([
        sim.run(),
        options.mix.errorsPerSecond > 0
          ? runErrorSimulation(
              { redis: deps.redis, clock: deps.clock, logger: deps.logger, signal: abort.signal },
              {
                seed: options.seed + 4,
                mode: 'mix',
                rate: options.mix.errorsPerSecond,
                count: undefined,
                durationMs: options.seconds * 1000,
                mix: errorMix,
                sequenceIntervalMs: 0,
                profile: options.profile,
                idInMessage: true,
              },
              (message, intendedAtMs) =>
                onError?.({ errorId: message.error_id, severity: message.severity, intendedAtMs }),
              (errorId, subscribers) => subscribers === 0 && onUnheard?.(errorId),
            )
          : noErrors,
      ]);
      return {
        sent: stats.sent - stats.malformed,
        lateness: stats.lateness,
        malformed: stats.malformed,
        aux: stats.auxSent,
        errors: errors?.sent ?? 0,
        errorLateness: errors?.lateness ?? null,
      };
    },
    stop: () => {
      abort.abort();
      sim.stop();
    },
  };
}
