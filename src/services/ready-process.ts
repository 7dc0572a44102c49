import { spawn, type ChildProcess } from 'node:child_process';
import { ServiceError } from './service-error.ts';

export interface ReadyProcessOptions {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** A line the program prints once it accepts connections. */
  readonly readyPattern: RegExp;
  readonly timeoutMs: number;
  readonly uid?: number;
  readonly gid?: number;
}

const TAIL_CHARS = 2000;

/** A child process and the last lines it printed (for error messages). */
export interface ReadyProcess {
  readonly child: ChildProcess;
  tail(): string;
}

/**
 * Spawns a server in its own process group (a Ctrl+C aimed at us does not reach it: we stop it
 * in order) and resolves when it prints `readyPattern`; rejects with its output if it exits first
 * or is not ready within the timeout.
 */
export function spawnReady(options: ReadyProcessOptions): Promise<ReadyProcess> {
  const child = spawn(options.command, options.args, {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
  });
  let output = '';
  const tail = (): string => output.slice(-TAIL_CHARS);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new ServiceError(
          'SERVICES_START_TIMEOUT',
          `${options.label} did not print ${String(options.readyPattern)} within ${options.timeoutMs} ms. Last output:\n${tail()}`,
          'Raise HARNESS_START_TIMEOUT_MS on a slow machine, or read the output above for the cause.',
        ),
      );
    }, options.timeoutMs);
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-TAIL_CHARS * 2);
      if (options.readyPattern.test(output)) {
        clearTimeout(timer);
        child.removeListener('exit', onEarlyExit);
        resolve({ child, tail });
      }
    };
    const onEarlyExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      reject(
        new ServiceError(
          'SERVICES_START_FAILED',
          `${options.label} exited before it was ready (code ${code ?? 'none'}, signal ${signal ?? 'none'}). Last output:\n${tail()}`,
          'Read the output above; a port clash or a permission problem on the data directory is the usual cause.',
        ),
      );
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onEarlyExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new ServiceError(
          'SERVICES_START_FAILED',
          `${options.label} could not be started: ${error.message}`,
          `Check that ${options.command} exists and is executable.`,
          { cause: error },
        ),
      );
    });
  });
}
