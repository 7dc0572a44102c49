import { Type, type Static } from '@sinclair/typebox';
import { CATEGORIES, SEVERITIES, type Category, type Severity } from './error-message.ts';

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** What browsers receive for an error (spec 004 Phase 1.2's client_error), plus our aggregation count and simulated mark. */
export const ClientError = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    message: Type.String(),
    severity: Type.Unsafe<Severity>({ type: 'string', enum: [...SEVERITIES] }),
    category: Type.Unsafe<Category>({ type: 'string', enum: [...CATEGORIES] }),
    symbol: NullableString,
    component: NullableString,
    timestamp: Type.String({ description: 'ISO 8601' }),
    count: Type.Optional(
      Type.Integer({ minimum: 1, description: 'More than 1: a summary of N similar errors' }),
    ),
    simulated: Type.Optional(
      Type.Literal(true, { description: 'Made up by a simulator (context.metadata.simulated)' }),
    ),
  },
  { $id: 'ClientError', title: 'Error as broadcast to browsers' },
);

export const ALERT_RULES = [
  'critical',
  'error_rate',
  'category_burst',
  'symbol_pattern_failures',
  'database_error',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** An alert threshold of spec 004 crossed. */
export const Alert = Type.Object(
  {
    rule: Type.Unsafe<AlertRule>({ type: 'string', enum: [...ALERT_RULES] }),
    message: Type.String(),
    count: Type.Integer({ minimum: 1 }),
    window_seconds: Type.Integer({ minimum: 0 }),
    fired_at: Type.String({ description: 'ISO 8601' }),
  },
  { $id: 'Alert', title: 'Alert' },
);

export type ClientError = Static<typeof ClientError>;
export type Alert = Static<typeof Alert>;
