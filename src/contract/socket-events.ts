import type { BacktestProgress, BacktestResult } from './schemas/backtesting.ts';
import type { Alert, ClientError } from './schemas/client-payloads.ts';
import type { HealthStatus } from './schemas/health-status.ts';
import type { PatternEvent } from './schemas/pattern-event.ts';

/** Socket.IO namespaces the consumer serves. */
export const NAMESPACES = { main: '/', monitoring: '/monitoring' } as const;

/** Event names the consumer emits, and on which namespace. */
export const SOCKET_EVENTS = {
  patternAlert: 'pattern_alert',
  backtestProgress: 'backtest_progress',
  backtestResult: 'backtest_result',
  systemHealth: 'system_health',
  tickstockError: 'tickstock_error',
  criticalError: 'critical_error',
  alert: 'alert',
} as const;

/** Events on `/`: patterns, backtests, health, and critical errors (spec 004). */
export interface MainServerEvents {
  pattern_alert: (event: PatternEvent) => void;
  backtest_progress: (event: BacktestProgress) => void;
  backtest_result: (event: BacktestResult) => void;
  system_health: (event: HealthStatus) => void;
  critical_error: (error: ClientError) => void;
}

/** Events on `/monitoring`: every displayed error, and alerts. */
export interface MonitoringServerEvents {
  tickstock_error: (error: ClientError) => void;
  alert: (alert: Alert) => void;
}

/** Clients send nothing but the connection itself. */
export type ClientEvents = Record<string, never>;
