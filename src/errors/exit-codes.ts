/**
 * The exit codes of every `tickstock` command (README "Exit codes"). Programs and CI systems act on
 * these, so they never change meaning: 1 is only ever "ran, and found problems".
 */
export const ExitCode = {
  ok: 0,
  /** The check ran and found problems: violations, lost events, a failed diagnosis, nothing found. */
  problems: 1,
  /** Usage or configuration: unknown option or command, missing or bad argument, bad environment. */
  usage: 2,
  /** A service could not be reached, or refused the credentials. */
  service: 3,
  /** A `run` threshold failed (as k6), or a figure regressed against its `--baseline`. */
  threshold: 99,
  /** A second Ctrl+C: stopped at once, without draining. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
