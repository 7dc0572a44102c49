import { Type, type Static } from '@sinclair/typebox';
import { IsoOrUnixTime } from './common.ts';

/** Spec 004 §2, lowest first. */
export const SEVERITIES = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Spec 004 §3. */
export const CATEGORIES = [
  'pattern',
  'indicator',
  'database',
  'network',
  'validation',
  'performance',
  'configuration',
  'unknown',
] as const;
export type Category = (typeof CATEGORIES)[number];

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const ErrorContext = Type.Object({
  component: Type.Optional(Type.String({ maxLength: 100 })),
  operation: Type.Optional(Type.String({ maxLength: 100 })),
  // error_logs.symbol is VARCHAR(10) (spec 004 Phase 2): a longer one could not be stored.
  symbol: Type.Optional(Nullable(Type.String({ maxLength: 10 }))),
  timeframe: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form details' })),
  timestamp: Type.Optional(IsoOrUnixTime('When the error happened')),
});

export const ErrorMessage = Type.Object(
  {
    error_id: Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Unique id; a repeat is a duplicate delivery',
    }),
    error_type: Type.String({ minLength: 1, maxLength: 100 }),
    error_message: Type.String(),
    error_traceback: Type.Optional(Nullable(Type.String())),
    severity: Type.Unsafe<Severity>({ type: 'string', enum: [...SEVERITIES] }),
    category: Type.Unsafe<Category>({ type: 'string', enum: [...CATEGORIES] }),
    context: Type.Optional(ErrorContext),
    timestamp: IsoOrUnixTime('When the error was published'),
  },
  { $id: 'ErrorMessage', title: 'Error message', description: 'Published on tickstock:errors (spec 004 §1)' },
);

export type ErrorContext = Static<typeof ErrorContext>;
export type ErrorMessage = Static<typeof ErrorMessage>;
