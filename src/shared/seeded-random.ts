import prand from 'pure-rand';

/** A seeded random source: the same seed gives the same sequence (pure-rand's xoroshiro128+). */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  int(minInclusive: number, maxInclusive: number): number;
  pick<T>(items: readonly T[]): T;
  /** A version-4 UUID built from this sequence. */
  uuid(): string;
}

export function seededRandom(seed: number): Random {
  const rng = prand.xoroshiro128plus(seed);
  const int = (min: number, max: number): number => prand.unsafeUniformIntDistribution(min, max, rng);
  const next = (): number => int(0, 2 ** 30 - 1) / 2 ** 30;
  const hex = (n: number): string => {
    let out = '';
    for (let i = 0; i < n; i += 1) out += int(0, 15).toString(16);
    return out;
  };
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[int(0, 3)]}${hex(3)}-${hex(12)}`,
  };
}
