import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { PatternEvent } from '../contract/schemas/pattern-event.ts';
import type { Clock } from '../shared/clock.ts';
import type { Random } from '../shared/seeded-random.ts';
import { createPatternGenerator } from './pattern-generator.ts';
import { publishEvents, recordPublished } from './pattern-publisher.ts';

export interface PublishedPattern {
  readonly event: PatternEvent;
  readonly receivers: number;
  readonly recorded: boolean;
}

/** Spec 001 §5's test pattern generator: one event (tier "test"), recorded, then published. */
export async function publishOnce(
  deps: { redis: Redis; db: pg.Pool | undefined; clock: Clock; random: Random },
  transform: (event: PatternEvent) => PatternEvent = (e) => e,
): Promise<PublishedPattern> {
  const event = transform(createPatternGenerator(deps.random).next(deps.clock.now() / 1000, 'test'));
  let recorded = false;
  if (deps.db !== undefined) {
    await recordPublished(deps.db, [event]);
    recorded = true;
  }
  const [receivers = 0] = await publishEvents(deps.redis, [event]);
  return { event, receivers, recorded };
}
