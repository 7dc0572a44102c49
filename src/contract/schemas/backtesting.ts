import { Type, type Static } from '@sinclair/typebox';
import { PRODUCER, UnixSeconds } from './common.ts';

// The specs name the channels only; the shapes follow the pattern event's envelope (docs/contract.md).
export const JobId = Type.String({ minLength: 1, maxLength: 100, description: 'Backtest job id' });

/** Where a job is: progress messages may say it. */
export const JobStatus = Type.Unsafe<string>({
  type: 'string',
  enum: ['queued', 'running', 'completed', 'failed', 'cancelled'],
});

/** How a job ended: a result says it. */
export const JobOutcome = Type.Unsafe<'completed' | 'failed' | 'cancelled'>({
  type: 'string',
  enum: ['completed', 'failed', 'cancelled'],
});

/** A fraction done, 0.0 to 1.0. */
export const Progress = Type.Number({ minimum: 0, maximum: 1, description: 'Fraction done, 0.0 to 1.0' });

export const BacktestProgress = Type.Object(
  {
    event_type: Type.Literal('backtest_progress'),
    source: Type.Literal(PRODUCER),
    timestamp: UnixSeconds('Publication time'),
    data: Type.Object({
      job_id: JobId,
      progress: Progress,
      status: Type.Optional(JobStatus),
      current_symbol: Type.Optional(Type.String({ maxLength: 20 })),
      message: Type.Optional(Type.String()),
      eta_seconds: Type.Optional(Type.Number({ minimum: 0 })),
    }),
  },
  {
    $id: 'BacktestProgress',
    title: 'Backtest progress',
    description: 'Published on tickstock.events.backtesting.progress',
  },
);

export const BacktestResult = Type.Object(
  {
    event_type: Type.Literal('backtest_result'),
    source: Type.Literal(PRODUCER),
    timestamp: UnixSeconds('Publication time'),
    data: Type.Object({
      job_id: JobId,
      status: JobOutcome,
      results: Type.Optional(
        Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form metrics' }),
      ),
      error: Type.Optional(Type.String()),
    }),
  },
  {
    $id: 'BacktestResult',
    title: 'Backtest result',
    description: 'Published on tickstock.events.backtesting.results',
  },
);

export type BacktestProgress = Static<typeof BacktestProgress>;
export type BacktestResult = Static<typeof BacktestResult>;
