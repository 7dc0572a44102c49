import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { bundledChromium } from './bundled-chromium.ts';
import { lowerPriority, ownChildrenRunning } from './lower-priority.ts';

/** Which Chromium to drive; filled in by loadConfig (CHROMIUM_PATH, HARNESS_TMPDIR). */
export interface BrowserOptions {
  /** A Chromium binary to use instead of Debian's or the bundled one. */
  readonly chromiumPath: string | undefined;
  /** Where the bundled Chromium is unpacked, once per version. */
  readonly cacheDir: string;
}

/** A launched browser, and a way to make all of it yield the cores to the rest of the machine. */
export interface LaunchedBrowser {
  readonly browser: Browser;
  /**
   * Lowers every process and thread of the browser to `nice` 19, as they are now: call it once the
   * pages are open. Chromium running as root raises its renderers' display threads (nice -8) itself.
   */
  yieldCpu(): void;
}

const YIELDING_NICE = 19;

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

// A closed network and a root user: no sandbox, nothing that phones home. Not @sparticuz/chromium's own
// flags, made for Lambda: with its SwiftShader GL, publish→DOM had > 1 s outliers (p99 1.1–1.2 s of
// 200 errors at 8/s; 13–58 ms with --disable-gpu), and --single-process ends the whole browser when
// the last page closes.
const ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-zygote',
];

/**
 * Options for every page this browser opens. Under LANG=C (CI, containers) headless Chromium's locale is
 * "en-US@posix", which Intl refuses: uPlot and toLocaleTimeString() threw on the dashboard.
 */
export const PAGE_OPTIONS = { locale: 'en-US' } as const;

interface BrowserChoice {
  readonly path: string;
  readonly describe: string;
}

/** CHROMIUM_PATH, then Debian's chromium, then the one inside the npm package: a fresh `npm ci` suffices. */
async function chooseBrowser(options: BrowserOptions): Promise<BrowserChoice> {
  const given = options.chromiumPath;
  if (given !== undefined && given !== '') {
    if (!existsSync(given))
      throw new HarnessError(
        'BROWSER_NOT_FOUND',
        `CHROMIUM_PATH=${given} does not exist`,
        `point it at a Chromium binary, or unset it to use ${DEBIAN_CHROMIUM} or the bundled Chromium`,
      );
    return { path: given, describe: `CHROMIUM_PATH (${given})` };
  }
  if (existsSync(DEBIAN_CHROMIUM)) return { path: DEBIAN_CHROMIUM, describe: DEBIAN_CHROMIUM };
  const unpacked = await bundledChromium(options.cacheDir);
  const how = unpacked.unpackMs > 0 ? `unpacked in ${unpacked.unpackMs} ms` : 'already unpacked';
  return {
    path: unpacked.path,
    describe: `bundled @sparticuz/chromium ${unpacked.version} (${unpacked.path}, ${how})`,
  };
}

/**
 * Headless Chromium; `log` is told which one. A browser that will not start is BROWSER_LAUNCH_FAILED
 * (exit 3, as any service the run needs and cannot have).
 */
export async function launchBrowser(
  options: BrowserOptions,
  log: (line: string) => void,
): Promise<LaunchedBrowser> {
  const choice = await chooseBrowser(options);
  log(`browser: ${choice.describe}`);
  try {
    // Loaded here: half a second of start-up that runs without browsers should not pay.
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: choice.path, headless: true, args: ARGS });
    // playwright's Browser does not expose its process: it is the child of ours running that binary.
    const pids = ownChildrenRunning(choice.path);
    return { browser, yieldCpu: () => pids.forEach((pid) => lowerPriority(pid, YIELDING_NICE)) };
  } catch (error) {
    throw new HarnessError(
      'BROWSER_LAUNCH_FAILED',
      `headless Chromium (${choice.describe}) did not start: ${(error as Error).message.split('\n')[0]}`,
      'Set CHROMIUM_PATH to a working Chromium, or remove a stale sparticuz-chromium-* directory in HARNESS_TMPDIR.',
      { cause: error, exitCode: ExitCode.service },
    );
  }
}
