import type pg from 'pg';
import { SOCKET_EVENTS } from '../../contract/socket-events.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Logger } from '../../shared/logger.ts';
import type { ConsumerServer } from '../http-server.ts';
import { createAlertRules, DEFAULT_THRESHOLDS, type AlertThresholds } from './alert-rules.ts';
import { createBroadcastThrottle } from './broadcast-throttle.ts';
import { ErrorFileLog, type FileLogOptions } from './error-file-log.ts';
import { ErrorCounters, createErrorPipeline } from './error-pipeline.ts';
import { ErrorStore, type ErrorStoreOptions, type ErrorWriter } from './error-store.ts';

/** How spec 004's side of the consumer behaves. */
export interface ErrorMonitoringOptions {
  readonly store: ErrorStoreOptions;
  readonly fileLog: FileLogOptions;
  readonly broadcastPerSecond: number;
  readonly thresholds: AlertThresholds;
  /** HARNESS_ADMIN_TOKEN: required by the REST API and the /monitoring namespace when set. */
  readonly adminToken: string | undefined;
  /** How long an API response may be reused (cleared when this consumer stores errors); 0: never. */
  readonly apiCacheMs?: number;
}

/** No file log, 10 broadcasts a second, the default alert thresholds, no admin token. */
export const DEFAULT_ERROR_MONITORING: Omit<ErrorMonitoringOptions, 'store'> = {
  fileLog: { enabled: false, path: '', maxSize: 0, backupCount: 0 },
  broadcastPerSecond: 10,
  thresholds: DEFAULT_THRESHOLDS,
  adminToken: undefined,
};

/** Spec 004's side of the consumer. Without it errors are validated and counted only. */
export interface ErrorMonitoringDeps extends ErrorMonitoringOptions {
  /** Writes error/critical rows (error_logs); undefined: nothing stored. */
  readonly writer: ErrorWriter | undefined;
  /** Serves the REST API; undefined: no API. */
  readonly db: pg.Pool | undefined;
}

/** Assembles spec 004 on a consumer's server: file log, store, throttled broadcasts, alerts. */
export function createErrorMonitoring(
  options: ErrorMonitoringDeps | undefined,
  server: ConsumerServer,
  deps: { clock: Clock; logger: Logger; onStored: () => void },
) {
  const { clock, logger } = deps;
  const counters = new ErrorCounters();
  const fileLog = new ErrorFileLog(options?.fileLog ?? DEFAULT_ERROR_MONITORING.fileLog);
  const alerts = createAlertRules(options?.thresholds ?? DEFAULT_ERROR_MONITORING.thresholds, () =>
    clock.now(),
  );
  const throttle = createBroadcastThrottle(
    { now: () => clock.now(), emit: (e) => server.monitoring.emit(SOCKET_EVENTS.tickstockError, e) },
    options?.broadcastPerSecond ?? DEFAULT_ERROR_MONITORING.broadcastPerSecond,
  );
  let store: ErrorStore | undefined;
  const pipeline = createErrorPipeline({
    get store() {
      return store;
    },
    fileLog,
    alerts,
    broadcast: (e) => throttle.offer(e),
    critical: (e) => server.main.emit(SOCKET_EVENTS.criticalError, e),
    alert: (a) => server.monitoring.emit(SOCKET_EVENTS.alert, a),
    counters,
    logger,
  });
  if (options?.writer !== undefined)
    store = new ErrorStore(
      options.writer,
      logger,
      options.store,
      (error) => pipeline.databaseFailure(error),
      deps.onStored,
    );
  return {
    pipeline,
    counters,
    get store() {
      return store;
    },
    /** Stores what it can within `timeoutMs`; the rest stays in the spill file. */
    async close(timeoutMs: number): Promise<void> {
      throttle.close();
      await store?.close(timeoutMs);
      await fileLog.close();
    },
  };
}
