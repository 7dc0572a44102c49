export type ServiceOrigin = 'external' | 'containers' | 'local';

/** A server the provider handed out; `close()` stops what it started (nothing for external). */
export interface RunningService {
  readonly origin: ServiceOrigin;
  readonly url: string;
  readonly startupMs: number;
  /** Stop and start again on the same address and data (local servers only): for outage tests. */
  readonly control?: ServiceControl;
  close(): Promise<void>;
}

export interface ServiceControl {
  stop(): Promise<void>;
  start(): Promise<void>;
  /** The server's main process while it runs (-1 when stopped): what a freeze fault signals. */
  readonly pid: number;
}

/** Wraps a close function so that calling it twice, or concurrently, stops things once. */
export function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
