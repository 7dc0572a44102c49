import { ExitCode } from '../errors/exit-codes.ts';

let first: Promise<NodeJS.Signals> | undefined;

/**
 * Resolves on the first SIGINT or SIGTERM, so a long command drains, prints its summary and exits
 * by itself; a second signal stops at once with exit 130. The listeners stay registered until exit:
 * signal-exit (pulled in by log-update) re-raises a signal that has no other listener, which used to
 * kill the process at the first Ctrl+C, before the drain.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  first ??= new Promise((resolve) => {
    let seen = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (!seen) {
        seen = true;
        resolve(signal);
        return;
      }
      process.stderr.write(`\n${signal} again: stopping at once, without draining\n`);
      process.exit(ExitCode.interrupted);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return first;
}
