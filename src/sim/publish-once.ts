import type { PubSubClient } from '../services/pubsub-transport.ts';
import type pg from 'pg';
import type { PatternEvent } from '../contract/schemas/pattern-event.ts';
import type { Clock } from '../shared/clock.ts';
import type { Random } from '../shared/seeded-random.ts';
import { createPatternGenerator } from './pattern-generator.ts';
import { publishEvents } from './pattern-publisher.ts';
import { integrationRecorder, type ProducerRecorder } from './producer-recorder.ts';

export interface PublishedPattern {
  readonly event: PatternEvent;
  readonly receivers: number;
  readonly recorded: boolean;
}

/** Spec 001 §5's test pattern generator: one event (tier "test"), recorded, then published. */
export async function publishOnce(
  deps: {
    redis: PubSubClient;
    db: pg.Pool | undefined;
    clock: Clock;
    random: Random;
    /** Where the flow id comes from (default: `random`). */
    ids?: Random;
    recorder?: ProducerRecorder | undefined;
  },
  transform: (event: PatternEvent) => PatternEvent = (e) => e,
): Promise<PublishedPattern> {
  const event = transform(
    createPatternGenerator(deps.random, undefined, deps.ids).next(deps.clock.now() / 1000, 'test'),
  );
  let recorded = false;
  const recorder =
    deps.recorder ?? (deps.db === undefined ? undefined : integrationRecorder(deps.db, deps.random));
  if (recorder !== undefined) {
    await recorder.published([event]);
    recorded = true;
  }
  const [receivers = 0] = await publishEvents(deps.redis, [event]);
  return { event, receivers, recorded };
}
