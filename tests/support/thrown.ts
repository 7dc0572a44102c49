import { expect } from 'vitest';

/** What `fn` throws, to assert its code and message; fails the test when it throws nothing. */
export const errorOf = (fn: () => unknown): { code: string; message: string } => {
  try {
    fn();
  } catch (error) {
    return error as { code: string; message: string };
  }
  return expect.fail('expected an error');
};
