import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium, type Browser } from 'playwright-core';
import { HarnessError } from '../../src/errors/harness-error.ts';
import { bundledChromium } from './bundled-chromium.ts';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

// A closed network and a root user: no sandbox, nothing that phones home.
const QUIET_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface BrowserChoice {
  readonly path: string;
  readonly args: readonly string[];
  readonly describe: string;
}

/** CHROMIUM_PATH, then Debian's chromium, then the one inside the npm package: a fresh `npm ci` suffices. */
async function chooseBrowser(env: NodeJS.ProcessEnv): Promise<BrowserChoice> {
  const given = env['CHROMIUM_PATH'];
  if (given !== undefined && given !== '') {
    if (!existsSync(given))
      throw new HarnessError(
        'BROWSER_NOT_FOUND',
        `CHROMIUM_PATH=${given} does not exist`,
        `point it at a Chromium binary, or unset it to use ${DEBIAN_CHROMIUM} or the bundled Chromium`,
      );
    return { path: given, args: [...QUIET_ARGS, '--disable-gpu'], describe: `CHROMIUM_PATH (${given})` };
  }
  if (existsSync(DEBIAN_CHROMIUM))
    return { path: DEBIAN_CHROMIUM, args: [...QUIET_ARGS, '--disable-gpu'], describe: DEBIAN_CHROMIUM };
  const unpacked = await bundledChromium(tmpdir());
  const how = unpacked.unpackMs > 0 ? `unpacked in ${unpacked.unpackMs} ms` : 'already unpacked';
  return {
    path: unpacked.path,
    // Not the package's own flags, made for Lambda: with its SwiftShader GL, publish→DOM had > 1 s
    // outliers (p99 1.1–1.2 s of 200 errors at 8/s; 13–58 ms with --disable-gpu), and --single-process
    // ends the whole browser when the last page closes.
    args: [...QUIET_ARGS, '--disable-gpu', '--no-zygote'],
    describe: `bundled @sparticuz/chromium ${unpacked.version} (${unpacked.path}, ${how})`,
  };
}

/** Headless Chromium; says which one it launched. Reads CHROMIUM_PATH from `env` (an entry point's). */
export async function launchBrowser(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const choice = await chooseBrowser(env);
  console.log(`[harness] browser: ${choice.describe}`);
  return chromium.launch({ executablePath: choice.path, headless: true, args: [...choice.args] });
}
