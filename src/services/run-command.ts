import { spawn } from 'node:child_process';
import { ServiceError } from './service-error.ts';

export interface RunCommandOptions {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
}

/** Runs a short command to completion; a non-zero exit is an error that carries its output. */
export function runCommand(options: RunCommandOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, options.args, {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) =>
      reject(
        new ServiceError(
          'SERVICES_START_FAILED',
          `${options.label} failed to run: ${error.message}`,
          'Check the binary path and permissions.',
          { cause: error },
        ),
      ),
    );
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new ServiceError(
            'SERVICES_START_FAILED',
            `${options.label} exited with code ${code ?? 'none'}:\n${output}`,
            'Read the output above for the cause.',
          ),
        );
    });
  });
}
