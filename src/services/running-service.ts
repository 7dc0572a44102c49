export type ServiceOrigin = 'external' | 'containers' | 'local';

/** A server the provider handed out; `close()` stops what it started (nothing for external). */
export interface RunningService {
  readonly origin: ServiceOrigin;
  readonly url: string;
  readonly startupMs: number;
  close(): Promise<void>;
}

/** Wraps a close function so that calling it twice, or concurrently, stops things once. */
export function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
