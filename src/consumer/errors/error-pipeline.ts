import { ERROR_ROUTES } from '../../contract/error-routing.ts';
import type { Alert, ClientError } from '../../contract/schemas/client-payloads.ts';
import { SEVERITIES, type Severity } from '../../contract/schemas/error-message.ts';
import type { Verdict } from '../../contract/validate.ts';
import type { Logger } from '../../shared/logger.ts';
import type { createAlertRules } from './alert-rules.ts';
import { toClientError } from './client-error.ts';
import type { ErrorFileLog } from './error-file-log.ts';
import type { ErrorStore } from './error-store.ts';

export class ErrorCounters {
  readonly bySeverity: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<
    Severity,
    number
  >;
  rejected = 0;
  alerts = 0;
}

export interface ErrorPipelineDeps {
  readonly store: ErrorStore | undefined;
  readonly fileLog: ErrorFileLog;
  readonly alerts: ReturnType<typeof createAlertRules>;
  /** To /monitoring through the throttle. */
  readonly broadcast: (error: ClientError) => void;
  /** critical_error on `/`, never throttled. */
  readonly critical: (error: ClientError) => void;
  readonly alert: (alert: Alert) => void;
  readonly counters: ErrorCounters;
  readonly logger: Logger;
}

/** The consumer's handling of `tickstock:errors`: validate, log to file, store, broadcast, alert. */
export function createErrorPipeline(deps: ErrorPipelineDeps) {
  const raise = (alert: Alert | undefined): void => {
    if (alert === undefined) return;
    deps.counters.alerts += 1;
    deps.logger.warn({ alert }, `ALERT ${alert.rule}: ${alert.message}`);
    deps.alert(alert);
  };
  return {
    handle(verdict: Verdict, receivedAt: number): void {
      if (!verdict.ok || verdict.kind !== 'error') {
        deps.counters.rejected += 1; // logged, summed up, by the message router
        return;
      }
      const error = verdict.message;
      const route = ERROR_ROUTES[error.severity];
      deps.counters.bySeverity[error.severity] += 1;
      if (route.logged) deps.fileLog.write(error, new Date(receivedAt));
      if (route.stored) deps.store?.add({ message: error, receivedAt });
      if (route.monitoring || route.main) {
        const client = toClientError(error);
        if (route.monitoring) deps.broadcast(client);
        if (route.main) deps.critical(client);
      }
      for (const alert of deps.alerts.evaluate(error)) raise(alert);
    },
    databaseFailure(error: Error): void {
      raise(deps.alerts.databaseFailure(error.message));
    },
  };
}
