/**
 * Base of every error the harness raises on purpose: a stable `code` for programs and tests,
 * a message that says what failed and the value seen, and `hint`, what to do next.
 */
export class HarnessError extends Error {
  readonly code: string;
  readonly hint: string;

  constructor(code: string, message: string, hint: string, options?: { cause?: unknown }) {
    super(`${message}\n  → ${hint}`, options);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
  }
}

export function isHarnessError(error: unknown): error is HarnessError {
  return error instanceof HarnessError;
}
