import type { ClientError } from '../../contract/schemas/client-payloads.ts';
import type { ErrorMessage } from '../../contract/schemas/error-message.ts';
import { errorTime, TEXT_BOUND } from '../../db/error-logs.ts';
import { boundText } from '../../shared/bounded-text.ts';

/** Spec 004 Phase 1.2's client format (the browser never sees tracebacks or metadata), the message bounded as served. */
export function toClientError(error: ErrorMessage): ClientError {
  const at = errorTime(error.timestamp);
  return {
    id: error.error_id,
    type: error.error_type,
    message: boundText(error.error_message, TEXT_BOUND.message),
    severity: error.severity,
    category: error.category,
    symbol: error.context?.symbol ?? null,
    component: error.context?.component ?? null,
    timestamp: Number.isNaN(at.getTime()) ? new Date().toISOString() : at.toISOString(),
    ...(error.context?.metadata?.['simulated'] === true ? { simulated: true as const } : {}),
  };
}
