import { setTimeout as delay } from 'node:timers/promises';

/** Resolves as `promise` does, or fails after `ms` naming what was awaited. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface PollOptions {
  readonly timeoutMs: number;
  readonly what: string;
  readonly intervalMs?: number;
  /** Says what was seen instead, for the failure message. */
  readonly seen?: () => string | Promise<string>;
}

/** Polls `check` until it holds; a deadline, never a fixed sleep, bounds the wait. */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  options: PollOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) {
      const seen = options.seen ? `; seen: ${await options.seen()}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${seen}`);
    }
    await delay(options.intervalMs ?? 25);
  }
}
