import type { Page } from 'playwright-core';
import type { ErrorPage } from '../../contract/consumer-profiles.ts';
import { PAGE_OPTIONS, type LaunchedBrowser } from '../../services/headless-browser.ts';
import { ServiceError } from '../../services/service-error.ts';
import type { TimerClock } from '../../shared/clock.ts';
import type { SentError } from '../error-ledger.ts';
import { drainScript, renderObserverScript } from './render-observer.ts';
import {
  createRenderLedger,
  judgeRenders,
  type RenderedNode,
  type RenderJudgement,
} from './render-ledger.ts';

export interface ErrorPagesOptions {
  /** The consumer's origin: the page's path is taken from there. */
  readonly origin: string;
  readonly page: ErrorPage;
  /** The run's --token, put where the page reads it. */
  readonly token: string | undefined;
  readonly count: number;
  /** How long a page may take to load and go live. */
  readonly readyTimeoutMs: number;
}

/** What the pages showed, and what went wrong in them. */
export interface PagesOutcome extends RenderJudgement {
  /** The page opened (without the token). */
  readonly url: string;
  readonly perPage: readonly {
    /** `console.error` calls in the page. */
    readonly consoleErrors: number;
    /** Uncaught exceptions, and crashes. */
    readonly pageErrors: number;
    /** The first of those, as the page said them. */
    readonly problems: readonly string[];
  }[];
}

const POLL_MS = 200;
const OPENING_AT_ONCE = 4;
const PROBLEMS_KEPT = 10;

/** The page's URL; the token in the fragment (never sent to the server, as the dashboard expects it). */
export function pageUrl(options: Pick<ErrorPagesOptions, 'origin' | 'page' | 'token'>): URL {
  const url = new URL(options.page.path, options.origin);
  const key = options.page.tokenHashKey;
  if (key !== undefined && options.token !== undefined)
    url.hash = new URLSearchParams({ [key]: options.token }).toString();
  return url;
}

/**
 * K pages of the consumer's own UI in one headless Chromium (a context each: no shared storage or
 * socket), each watching for rendered errors from before its own scripts run. Resolves once every page
 * is live (`readySelector`); one that is not is a ServiceError (exit 3) before any load is sent.
 */
export async function openErrorPages(
  deps: { readonly launch: () => Promise<LaunchedBrowser>; readonly clock: TimerClock },
  options: ErrorPagesOptions,
) {
  const url = pageUrl(options);
  const shownUrl = new URL(url);
  shownUrl.hash = '';
  const launched = await deps.launch();
  const { browser } = launched;
  const ledgers = Array.from({ length: options.count }, createRenderLedger);
  const health = ledgers.map(() => ({ consoleErrors: 0, pageErrors: 0, problems: [] as string[] }));
  const problem = (i: number, kind: 'consoleErrors' | 'pageErrors', text: string): void => {
    health[i]![kind] += 1;
    if (health[i]!.problems.length < PROBLEMS_KEPT) health[i]!.problems.push(text);
  };
  const open = async (i: number): Promise<Page> => {
    const page = await (await browser.newContext(PAGE_OPTIONS)).newPage();
    page.on('console', (m) => m.type() === 'error' && problem(i, 'consoleErrors', `console: ${m.text()}`));
    page.on('pageerror', (e) => problem(i, 'pageErrors', `uncaught: ${e.message}`));
    page.on('crash', () => problem(i, 'pageErrors', 'the page crashed'));
    await page.addInitScript({ content: renderObserverScript(options.page.errorSelector) });
    await page.goto(url.href, { waitUntil: 'load', timeout: options.readyTimeoutMs });
    const ready = options.page.readySelector;
    if (ready !== undefined) await page.waitForSelector(ready, { timeout: options.readyTimeoutMs });
    return page;
  };
  const pages: Page[] = [];
  try {
    // A few at a time, each with its own timeout: 50 loading at once on 2 cores did not all go live in 15 s.
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let i = next++; i < options.count; i = next++) pages[i] = await open(i);
    };
    await Promise.all(Array.from({ length: Math.min(OPENING_AT_ONCE, options.count) }, lane));
  } catch (error) {
    await browser.close();
    throw new ServiceError(
      'SERVICES_UNREACHABLE',
      `the consumer's page ${shownUrl.href} did not go live within ${options.readyTimeoutMs} ms (waiting for ${options.page.readySelector ?? 'its load event'}): ${(error as Error).message.split('\n')[0]}`,
      "Check that the consumer serves its UI there (the profile's page.path) and --token where it asks for one.",
      { cause: error },
    );
  }

  // The pages yield the cores to the generator, the consumer and the Socket.IO clients: their own
  // timing takes the wait instead (docs/run.md, "Browser pages").
  launched.yieldCpu();
  let closed = false;
  const drain = async (): Promise<void> => {
    await Promise.all(
      pages.map(async (page, i) => {
        const nodes = await page.evaluate(drainScript).catch((error: Error) => {
          if (!closed) problem(i, 'pageErrors', `unreadable: ${error.message.split('\n')[0]}`);
          return [];
        });
        ledgers[i]!.add(nodes as RenderedNode[]);
      }),
    );
  };
  const pause = () => new Promise<void>((resolve) => deps.clock.after(POLL_MS, resolve));

  return {
    url: shownUrl.href,
    /** Resolves once every page has rendered every one of these errors (polled; never rejects). */
    async untilRendered(errorIds: readonly string[]): Promise<void> {
      for (;;) {
        await drain();
        if (closed || ledgers.every((l) => errorIds.every((id) => l.renderedAt(id) !== undefined))) return;
        await pause();
      }
    },
    /** What every page rendered of these errors, and what went wrong in the pages. */
    async finish(toRender: readonly SentError[]): Promise<PagesOutcome> {
      await drain();
      return { url: shownUrl.href, ...judgeRenders(ledgers, toRender), perPage: health };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await browser.close();
    },
  };
}

export type ErrorPages = Awaited<ReturnType<typeof openErrorPages>>;
