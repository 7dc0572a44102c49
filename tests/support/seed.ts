import { randomInt } from 'node:crypto';

/** TEST_SEED when given (to reproduce a run), otherwise a fresh one; always printed. */
export function chooseSeed(env: NodeJS.ProcessEnv): number {
  const given = env['TEST_SEED'];
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed))
      throw new Error(`TEST_SEED=${given} is not an integer; unset it or give one.`);
    return seed;
  }
  return randomInt(1, 2 ** 31 - 1);
}
