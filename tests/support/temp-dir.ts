import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';
import './provided.ts';

/** A temporary directory inside the run's directory, so that it goes when the run's services go. */
export function runTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(inject('services').runDir, prefix));
}
