import { Type, type Static } from '@sinclair/typebox';
import { JobId, JobOutcome, JobStatus, Progress } from './backtesting.ts';

/*
 * What the deployed consumer, TickStockAppV2, accepts where it departs from the specification
 * (profile `tickstockappv2`, docs/contract.md). Only what was measured against its own code is
 * required; every other field is tolerated (`additionalProperties: true`, so no "unknown field" notes),
 * and a message may carry the spec's fields beside these.
 */

export const AppV2ErrorMessage = Type.Object(
  {
    source: Type.String({
      minLength: 1,
      description: 'required by TickStockAppV2: who raised it, e.g. TickStockPL; its error_logs.source',
    }),
    message: Type.String({
      minLength: 1,
      description: "required by TickStockAppV2: what went wrong, the text spec 004 calls error_message",
    }),
  },
  {
    $id: 'AppV2ErrorMessage',
    additionalProperties: true,
    title: 'Error message as TickStockAppV2 accepts it',
    description:
      "Published on tickstock:errors for TickStockAppV2: source and message are required (it refuses spec 004's error_type/error_message alone); other fields are tolerated",
  },
);

export const AppV2BacktestProgress = Type.Object(
  { job_id: JobId, progress: Progress, status: Type.Optional(JobStatus) },
  {
    $id: 'AppV2BacktestProgress',
    additionalProperties: true,
    title: 'Backtest progress as TickStockAppV2 reads it',
    description:
      'Published on tickstock.events.backtesting.progress for TickStockAppV2: job_id, progress and status at the top level, not under data',
  },
);

export const AppV2BacktestResult = Type.Object(
  { job_id: JobId, status: JobOutcome },
  {
    $id: 'AppV2BacktestResult',
    additionalProperties: true,
    title: 'Backtest result as TickStockAppV2 reads it',
    description:
      'Published on tickstock.events.backtesting.results for TickStockAppV2: job_id and status at the top level, not under data',
  },
);

export type AppV2ErrorMessage = Static<typeof AppV2ErrorMessage>;
export type AppV2BacktestProgress = Static<typeof AppV2BacktestProgress>;
export type AppV2BacktestResult = Static<typeof AppV2BacktestResult>;
