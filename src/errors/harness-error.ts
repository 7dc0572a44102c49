import { ExitCode, type ExitCodeValue } from './exit-codes.ts';

/**
 * Base of every error the harness raises on purpose: a stable `code` for programs and tests,
 * a message that says what failed and the value seen, `hint`, what to do next, and the exit code
 * a command ends with when it stops on this error (usage unless said otherwise).
 */
export class HarnessError extends Error {
  readonly code: string;
  readonly hint: string;
  readonly exitCode: ExitCodeValue;

  constructor(
    code: string,
    message: string,
    hint: string,
    options?: { cause?: unknown; exitCode?: ExitCodeValue },
  ) {
    super(`${message}\n  → ${hint}`, options);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
    this.exitCode = options?.exitCode ?? ExitCode.usage;
  }
}

export function isHarnessError(error: unknown): error is HarnessError {
  return error instanceof HarnessError;
}
