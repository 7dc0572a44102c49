import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';

const run = promisify(execFile);
const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
// The package does not export its package.json; it sits two levels above build/cjs/index.cjs.
const version = (
  JSON.parse(readFileSync(join(dirname(entry), '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

export interface UnpackedChromium {
  readonly version: string;
  readonly path: string;
  /** How long unpacking took; 0 when an earlier run had unpacked this version already. */
  readonly unpackMs: number;
}

/**
 * The Chromium inside the npm package @sparticuz/chromium, unpacked once into
 * `<cacheRoot>/sparticuz-chromium-<version>` and reused after. The package unpacks into
 * `$TMPDIR/chromium` and trusts whatever it finds there (another version's libraries crash the
 * launch), so a child process unpacks it with TMPDIR set to a staging directory of our own, which is
 * then renamed into place: parallel runs never see a half-written browser.
 */
export async function bundledChromium(cacheRoot: string): Promise<UnpackedChromium> {
  const dir = join(cacheRoot, `sparticuz-chromium-${version}`);
  const path = join(dir, 'chromium');
  if (existsSync(path)) return { version, path, unpackMs: 0 };

  const started = performance.now();
  const staging = await mkdtemp(`${dir}.partial-`);
  try {
    const script = `require(${JSON.stringify(entry)}).executablePath().then((p) => process.stdout.write(p))`;
    const { stdout } = await run(process.execPath, ['-e', script], { env: { TMPDIR: staging } });
    if (stdout !== join(staging, 'chromium')) throw new Error(`unpacked to ${stdout}, not ${staging}`);
    await rename(staging, dir).catch((error: NodeJS.ErrnoException) => {
      // Another run renamed its copy first: use that one.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } catch (error) {
    throw new HarnessError(
      'BROWSER_UNPACK_FAILED',
      `could not unpack @sparticuz/chromium ${version} into ${dir}: ${(error as Error).message}`,
      'check free space in the temp directory (HARNESS_TMPDIR), or set CHROMIUM_PATH to a Chromium binary',
      { cause: error, exitCode: ExitCode.service },
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { version, path, unpackMs: Math.round(performance.now() - started) };
}
