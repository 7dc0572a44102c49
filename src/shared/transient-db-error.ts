/**
 * Whether a failed write may succeed later unchanged (the server is down, restarting or overloaded),
 * as opposed to data it will never accept (SQLSTATE classes 22 and 23).
 */
export function isTransientDbError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return true; // socket errors (ECONNREFUSED, ...) and timeouts
  if (/^[A-Z]+$/.test(code)) return true; // Node's own error codes
  return !code.startsWith('22') && !code.startsWith('23') && !code.startsWith('42');
}
