import { Type, type Static } from '@sinclair/typebox';
import { PRODUCER, UnixSeconds, Uuid } from './common.ts';

/** Spec 001 §4, exactly. Unknown extra fields are tolerated (and reported as notes). */
export const PatternData = Type.Object(
  {
    symbol: Type.String({ minLength: 1, maxLength: 20, description: 'Stock symbol, e.g. AAPL' }),
    pattern: Type.String({
      minLength: 1,
      maxLength: 50,
      description: "Pattern name: 'pattern', never 'pattern_name'",
    }),
    confidence: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'Confidence from 0.0 to 1.0 (not a percentage)',
    }),
    flow_id: Uuid('End-to-end tracking id'),
    tier: Type.Optional(Type.String({ maxLength: 50, description: 'Pattern tier, e.g. intraday' })),
    price_change: Type.Optional(Type.Number({ description: 'Price change, percent' })),
    current_price: Type.Optional(Type.Number({ minimum: 0, description: 'Current price' })),
    volume: Type.Optional(Type.Number({ minimum: 0, description: 'Volume' })),
    timestamp: Type.Optional(UnixSeconds('Pattern detection time')),
  },
  { description: 'The pattern; must be nested under data' },
);

export const PatternEvent = Type.Object(
  {
    event_type: Type.Literal('pattern_detected'),
    source: Type.Literal(PRODUCER),
    timestamp: UnixSeconds('Publication time'),
    data: PatternData,
  },
  {
    $id: 'PatternEvent',
    title: 'Pattern event',
    description: 'Published on tickstock.events.patterns (spec 001 §4)',
  },
);

export type PatternData = Static<typeof PatternData>;
export type PatternEvent = Static<typeof PatternEvent>;
