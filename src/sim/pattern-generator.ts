import type { PatternEvent } from '../contract/schemas/pattern-event.ts';
import type { Random } from '../shared/seeded-random.ts';

/** What the simulated detector finds; spec 001 §5's universe by default. */
export interface PatternUniverse {
  readonly symbols: readonly string[];
  readonly patterns: readonly string[];
  readonly tiers: readonly string[];
  readonly confidence: { readonly min: number; readonly max: number };
  readonly startPrice: { readonly min: number; readonly max: number };
}

export const DEFAULT_UNIVERSE: PatternUniverse = {
  symbols: ['AAPL', 'GOOGL', 'MSFT', 'TSLA', 'NVDA'],
  patterns: ['Volume_Spike', 'Price_Breakout', 'Support_Test', 'Resistance_Break'],
  tiers: ['intraday', 'daily', 'combo'],
  confidence: { min: 0.7, max: 0.99 },
  startPrice: { min: 100, max: 500 },
};

const round = (value: number, places: number): number => Math.round(value * 10 ** places) / 10 ** places;

/**
 * Seeded pattern events: the same seed gives the same sequence of events. Prices walk per symbol,
 * so price_change is consistent with current_price. Only `timestamp` (the real time) varies.
 * Flow ids come from `ids` when given, so a run can repeat the content under new ids.
 */
export function createPatternGenerator(
  random: Random,
  universe: PatternUniverse = DEFAULT_UNIVERSE,
  ids: Random = random,
) {
  const prices = new Map<string, number>();
  const { confidence, startPrice } = universe;
  return {
    next(timestampSeconds: number, tierOverride?: string): PatternEvent {
      const symbol = random.pick(universe.symbols);
      const previous =
        prices.get(symbol) ?? startPrice.min + random.next() * (startPrice.max - startPrice.min);
      const changePct = (random.next() - 0.5) * 10; // -5 % .. +5 %
      const price = Math.max(0.01, previous * (1 + changePct / 100));
      prices.set(symbol, price);
      return {
        event_type: 'pattern_detected',
        source: 'TickStockPL',
        timestamp: timestampSeconds,
        data: {
          symbol,
          pattern: random.pick(universe.patterns),
          confidence: round(confidence.min + random.next() * (confidence.max - confidence.min), 2),
          flow_id: ids.uuid(),
          tier: tierOverride ?? random.pick(universe.tiers),
          price_change: round(changePct, 2),
          current_price: round(price, 2),
          volume: random.int(1_000, 5_000_000),
        },
      };
    },
  };
}

export type PatternGenerator = ReturnType<typeof createPatternGenerator>;
