import { tmpdir } from 'node:os';
import type { Browser } from 'playwright-core';
import { launchBrowser as launch } from '../../src/services/headless-browser.ts';

/** Headless Chromium as `tickstock run --browsers` launches it; reads CHROMIUM_PATH from `env` (an entry point's). */
export async function launchBrowser(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const log = (line: string) => console.log(`[harness] ${line}`);
  return (await launch({ chromiumPath: env['CHROMIUM_PATH'], cacheDir: tmpdir() }, log)).browser;
}
