import type { TObject } from '@sinclair/typebox';
import type { BacktestShape, ConsumerProfile, ErrorShape } from './consumer-profiles.ts';
import { MESSAGE_SPECS, type MessageKind } from './messages.ts';
import { BacktestProgress, BacktestResult } from './schemas/backtesting.ts';
import { PRODUCER } from './schemas/common.ts';
import { ErrorMessage } from './schemas/error-message.ts';
import {
  AppV2BacktestProgress,
  AppV2BacktestResult,
  AppV2ErrorMessage,
} from './schemas/tickstockappv2.ts';

/**
 * Each message shape a consumer profile may name (consumer-profiles.ts), in one place: the schema a
 * message is checked against for that consumer, and the shaper that turns a spec message into one
 * that consumer accepts. The simulator publishes what the shaper returns and never builds a
 * consumer's JSON itself; `tickstock validate --profile` checks with the schema.
 */
interface Shape<T> {
  readonly schema: TObject;
  /** The spec message as this consumer accepts it (the spec's fields stay where it tolerates them). */
  readonly shape: (message: T) => T;
}

const asIs = <T>(message: T): T => message;

// Fields that tell an error message apart when no event_type says what a message is.
const SPEC_ERROR_FIELDS = ['error_id', 'error_type', 'error_message', 'severity'];

const ERROR_SHAPES: Readonly<
  Record<ErrorShape, Shape<ErrorMessage> & { readonly telltales: readonly string[] }>
> = {
  spec004: { schema: ErrorMessage, shape: asIs, telltales: SPEC_ERROR_FIELDS },
  'source-message': {
    schema: AppV2ErrorMessage,
    // An empty error_message (the spec allows one) would be refused: the error type stands in for it.
    shape: (m): ErrorMessage & AppV2ErrorMessage => ({
      ...m,
      source: PRODUCER,
      message: m.error_message || m.error_type,
    }),
    telltales: [...SPEC_ERROR_FIELDS, 'message'],
  },
};

const BACKTEST_SHAPES: Readonly<
  Record<BacktestShape, { readonly progress: Shape<BacktestProgress>; readonly result: Shape<BacktestResult> }>
> = {
  nested: {
    progress: { schema: BacktestProgress, shape: asIs },
    result: { schema: BacktestResult, shape: asIs },
  },
  // The nested fields stay too: one message then serves a consumer of either shape.
  'top-level': {
    progress: {
      schema: AppV2BacktestProgress,
      shape: (m): BacktestProgress & AppV2BacktestProgress => ({
        ...m,
        job_id: m.data.job_id,
        progress: m.data.progress,
        ...(m.data.status === undefined ? {} : { status: m.data.status }),
      }),
    },
    result: {
      schema: AppV2BacktestResult,
      shape: (m): BacktestResult & AppV2BacktestResult => ({ ...m, job_id: m.data.job_id, status: m.data.status }),
    },
  },
};

/** How the simulator shapes each message it publishes, for one consumer. */
export interface MessageShaper {
  readonly error: (message: ErrorMessage) => ErrorMessage;
  readonly backtestProgress: (message: BacktestProgress) => BacktestProgress;
  readonly backtestResult: (message: BacktestResult) => BacktestResult;
}

/** The shaper of a profile: the messages that consumer accepts, made from spec messages. */
export function messageShaper(profile: ConsumerProfile): MessageShaper {
  const backtest = BACKTEST_SHAPES[profile.backtestShape];
  return {
    error: ERROR_SHAPES[profile.errorShape].shape,
    backtestProgress: backtest.progress.shape,
    backtestResult: backtest.result.shape,
  };
}

/** The schema a message of this kind is checked against for this consumer. */
export function profileSchema(profile: ConsumerProfile, kind: MessageKind): TObject {
  if (kind === 'error') return ERROR_SHAPES[profile.errorShape].schema;
  if (kind === 'backtest_progress') return BACKTEST_SHAPES[profile.backtestShape].progress.schema;
  if (kind === 'backtest_result') return BACKTEST_SHAPES[profile.backtestShape].result.schema;
  return MESSAGE_SPECS[kind].schema;
}

/** Top-level fields that mark an error message for this consumer, when no event_type says what it is. */
export const errorTelltales = (profile: ConsumerProfile): readonly string[] =>
  ERROR_SHAPES[profile.errorShape].telltales;

/** The schemas of the shapes that depart from the spec: published beside the spec's (artifacts.ts). */
export const PROFILE_ONLY_SCHEMAS: readonly TObject[] = [
  ...Object.values(ERROR_SHAPES).map((s) => s.schema),
  ...Object.values(BACKTEST_SHAPES).flatMap((s) => [s.progress.schema, s.result.schema]),
].filter((schema) => !Object.values(MESSAGE_SPECS).some((spec) => spec.schema === schema));
