import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES_DIR = new URL('../../fixtures/events/', import.meta.url).pathname;
/** `<profile>/valid|invalid/<channel>/…`: what a deployed consumer accepts where it departs from the spec. */
export const PROFILE_FIXTURES_DIR = new URL('../../fixtures/profiles/', import.meta.url).pathname;

export interface Fixture {
  readonly file: string;
  /** The channel it arrives on, or undefined for `no-channel`. */
  readonly channel: string | undefined;
  readonly bytes: Buffer;
}

export interface InvalidFixture extends Fixture {
  readonly code: string;
  /** `$.data.pattern`; with `prefix`, the violation's path starts with it. */
  readonly path: string;
  readonly prefix: boolean;
}

function list(dir: string, kind: 'valid' | 'invalid'): Fixture[] {
  const root = join(dir, kind);
  return readdirSync(root).flatMap((dir) =>
    readdirSync(join(root, dir)).map((name) => ({
      file: join(root, dir, name),
      channel: dir === 'no-channel' ? undefined : dir,
      bytes: readFileSync(join(root, dir, name)),
    })),
  );
}

export const validFixtures = (dir = FIXTURES_DIR): Fixture[] => list(dir, 'valid');

export function invalidFixtures(dir = FIXTURES_DIR): InvalidFixture[] {
  return list(dir, 'invalid').map((f) => {
    const name = f.file.split('/').pop() ?? '';
    const [code = '', rawPath = ''] = name.split('@');
    const prefix = rawPath.endsWith('...');
    const bare = prefix ? rawPath.slice(0, -3) : rawPath;
    return { ...f, code, path: bare === 'root' ? '$' : `$.${bare}`, prefix };
  });
}
