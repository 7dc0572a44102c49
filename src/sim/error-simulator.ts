import { pubSubOf, type PubSubClient } from '../services/pubsub-transport.ts';
import { CHANNELS } from '../contract/channels.ts';
import { SPEC_PROFILE, type ConsumerProfile } from '../contract/consumer-profiles.ts';
import { messageShaper } from '../contract/message-shapes.ts';
import { SEVERITIES, type ErrorMessage, type Severity } from '../contract/schemas/error-message.ts';
import type { Clock } from '../shared/clock.ts';
import { afterPrecisely } from '../shared/precise-timer.ts';
import { LatencyHistogram, type LatencySummary } from '../shared/latency-histogram.ts';
import type { Logger } from '../shared/logger.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { createErrorGenerator, type ErrorMix } from './error-generator.ts';
import { DEFAULT_SCENARIO, schedule } from './scenarios.ts';
import { createZeroSubscriberWatch } from './zero-subscriber-watch.ts';

export interface ErrorSimOptions {
  readonly seed: number;
  /** `sequence`: spec 004's test sequence; `mix`: errors at `rate` drawn from `mix`. */
  readonly mode: 'sequence' | 'mix';
  readonly rate: number;
  readonly count: number | undefined;
  readonly durationMs: number | undefined;
  readonly mix: ErrorMix;
  /** Pause between messages of the sequence (the spec's script sleeps 1 s). */
  readonly sequenceIntervalMs: number;
  /** The consumer the errors are for: they go out in the shape it accepts (default: the spec's). */
  readonly profile?: ConsumerProfile;
  /** End each error_message with its error_id, so that a store keeping only the message can be matched. */
  readonly idInMessage?: boolean;
}

export interface ErrorSimStats {
  readonly sent: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  readonly zeroSubscriberPublishes: number;
  /** Publish time minus scheduled time (mix mode): the error generator's own lateness. */
  readonly lateness: LatencySummary;
}

/**
 * Publishes error messages on tickstock:errors, shaped for the profile's consumer; stops at the count,
 * the duration or `signal`. `onSent` is told of each as the spec message it was made from.
 */
export async function runErrorSimulation(
  deps: { redis: PubSubClient; clock: Clock; logger: Logger; signal?: AbortSignal },
  options: ErrorSimOptions,
  onSent: (message: ErrorMessage, intendedAtMs: number) => void = () => undefined,
  onPublished: (errorId: string, subscribers: number) => void = () => undefined,
): Promise<ErrorSimStats> {
  const generator = createErrorGenerator(seededRandom(options.seed));
  const watch = createZeroSubscriberWatch(deps.logger, () => deps.clock.now());
  const shape = messageShaper(options.profile ?? SPEC_PROFILE).error;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const lateness = new LatencyHistogram();
  let sent = 0;
  const publish = async (built: ErrorMessage, intendedAtMs: number): Promise<void> => {
    const message = options.idInMessage
      ? { ...built, error_message: `${built.error_message} [${built.error_id}]` }
      : built;
    onSent(message, intendedAtMs);
    const subscribers = await pubSubOf(deps.redis).publish(CHANNELS.errors, JSON.stringify(shape(message)));
    watch.observe(CHANNELS.errors, subscribers);
    onPublished(message.error_id, subscribers);
    sent += 1;
    bySeverity[message.severity] += 1;
  };
  const wait = (ms: number) =>
    new Promise<void>((resolve) => afterPrecisely(deps.clock, Math.max(0, ms), resolve));
  const start = deps.clock.now();
  if (options.mode === 'sequence') {
    for (const message of generator.testSequence(start)) {
      if (deps.signal?.aborted) break;
      await publish(message, deps.clock.now());
      await wait(options.sequenceIntervalMs);
    }
  } else {
    const end = options.durationMs === undefined ? Infinity : start + options.durationMs;
    for (const offset of schedule({ ...DEFAULT_SCENARIO, rate: options.rate })) {
      if (
        deps.signal?.aborted ||
        start + offset >= end ||
        (options.count !== undefined && sent >= options.count)
      )
        break;
      await wait(start + offset - deps.clock.now());
      // Stamped with its intended time: latency measured from it includes this generator's lateness.
      lateness.record(deps.clock.now() - (start + offset));
      await publish(generator.next(start + offset, options.mix), start + offset);
    }
  }
  return { sent, bySeverity, zeroSubscriberPublishes: watch.count(), lateness: lateness.summary() };
}
