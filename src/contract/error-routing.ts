import type { Severity } from './schemas/error-message.ts';

/** Where a consumer sends an error of one severity (spec 004 §2). */
export interface ErrorRouting {
  readonly stored: boolean;
  readonly logged: boolean;
  /** Broadcast to /monitoring's clients. */
  readonly monitoring: boolean;
  /** Also to every client of the main namespace (critical). */
  readonly main: boolean;
}

/** Spec 004 §2 as a table: what happens to each severity. */
export const ERROR_ROUTES: Readonly<Record<Severity, ErrorRouting>> = {
  debug: { logged: false, stored: false, monitoring: false, main: false },
  info: { logged: true, stored: false, monitoring: false, main: false },
  warning: { logged: true, stored: false, monitoring: true, main: false },
  error: { logged: true, stored: true, monitoring: true, main: false },
  critical: { logged: true, stored: true, monitoring: true, main: true },
};
