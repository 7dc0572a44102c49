import type { PatternEvent } from '../contract/schemas/pattern-event.ts';
import type { Random } from '../shared/seeded-random.ts';

/**
 * The mistakes a producer makes (spec 001's own pitfalls, plus broken bytes), each a message the
 * consumer must reject, count and survive. Built from a real event so that its size is realistic.
 */
const MISTAKES: readonly ((e: PatternEvent) => string)[] = [
  // 'pattern_name' instead of 'pattern' (spec 001's most common mistake)
  ({ data: { pattern, ...data }, ...e }) =>
    JSON.stringify({ ...e, data: { ...data, pattern_name: pattern } }),
  // data at the top level, not nested
  ({ data, ...e }) => JSON.stringify({ ...e, ...data }),
  // confidence as a percentage
  (e) => JSON.stringify({ ...e, data: { ...e.data, confidence: e.data.confidence * 100 } }),
  // cut off mid-message
  (e) => JSON.stringify(e).slice(0, 40),
  // not JSON at all
  () => 'pattern_detected AAPL',
];

/** One malformed rendering of `event`, drawn from `random`. */
export const malformedPattern = (event: PatternEvent, random: Random): string => random.pick(MISTAKES)(event);
