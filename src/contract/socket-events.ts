import type { BacktestProgress, BacktestResult } from './schemas/backtesting.ts';
import type { Alert, ClientError } from './schemas/client-payloads.ts';
import type { HealthStatus } from './schemas/health-status.ts';
import type { PatternEvent } from './schemas/pattern-event.ts';
import type { PipelineAggregate } from './schemas/pipeline-aggregate.ts';

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
  pipelineAggregate: 'pipeline_aggregate',
  patternSample: 'pattern_sample',
} as const;

/** At most this many pattern events a second go to `/monitoring` as samples (the dashboard's feed). */
export const PATTERN_SAMPLES_PER_SECOND = 20;

/** Events on `/`: patterns, backtests, health, and critical errors (spec 004). */
export interface MainServerEvents {
  pattern_alert: (event: PatternEvent) => void;
  backtest_progress: (event: BacktestProgress) => void;
  backtest_result: (event: BacktestResult) => void;
  system_health: (event: HealthStatus) => void;
  critical_error: (error: ClientError) => void;
}

/**
 * Events on `/monitoring`: every displayed error, alerts, the pipeline's figures once a second, and a
 * sample of the pattern events (spaced, at most PATTERN_SAMPLES_PER_SECOND, dropped for a slow reader):
 * an operator's page sees the flow without costing the pipeline a frame per event.
 */
export interface MonitoringServerEvents {
  tickstock_error: (error: ClientError) => void;
  alert: (alert: Alert) => void;
  pipeline_aggregate: (aggregate: PipelineAggregate) => void;
  pattern_sample: (event: PatternEvent) => void;
}

/** Clients send nothing but the connection itself. */
export type ClientEvents = Record<string, never>;
