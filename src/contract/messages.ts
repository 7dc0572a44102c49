import type { TObject } from '@sinclair/typebox';
import { CHANNELS, type ChannelName } from './channels.ts';
import { BacktestProgress, BacktestResult } from './schemas/backtesting.ts';
import { ErrorMessage } from './schemas/error-message.ts';
import { HealthStatus } from './schemas/health-status.ts';
import { PatternEvent } from './schemas/pattern-event.ts';

export const MESSAGE_KINDS = [
  'pattern_detected',
  'backtest_progress',
  'backtest_result',
  'health_status',
  'error',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export interface MessageSpec {
  readonly kind: MessageKind;
  readonly channel: ChannelName;
  readonly schema: TObject;
}

/** Each message kind, the one channel it travels on, and its schema. */
export const MESSAGE_SPECS: Readonly<Record<MessageKind, MessageSpec>> = {
  pattern_detected: { kind: 'pattern_detected', channel: CHANNELS.patterns, schema: PatternEvent },
  backtest_progress: {
    kind: 'backtest_progress',
    channel: CHANNELS.backtestProgress,
    schema: BacktestProgress,
  },
  backtest_result: { kind: 'backtest_result', channel: CHANNELS.backtestResults, schema: BacktestResult },
  health_status: { kind: 'health_status', channel: CHANNELS.health, schema: HealthStatus },
  error: { kind: 'error', channel: CHANNELS.errors, schema: ErrorMessage },
};

export function kindOfChannel(channel: ChannelName): MessageKind {
  return Object.values(MESSAGE_SPECS).find((s) => s.channel === channel)!.kind;
}

/** The typed value of a valid message, by kind. */
export type ContractMessage =
  | { readonly kind: 'pattern_detected'; readonly message: PatternEvent }
  | { readonly kind: 'backtest_progress'; readonly message: BacktestProgress }
  | { readonly kind: 'backtest_result'; readonly message: BacktestResult }
  | { readonly kind: 'health_status'; readonly message: HealthStatus }
  | { readonly kind: 'error'; readonly message: ErrorMessage };
