import fc from 'fast-check';
import { SEVERITIES, CATEGORIES } from '../../src/contract/schemas/error-message.ts';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Field names a producer might add later: anything not already known at that level. */
const extraKey = (known: readonly string[]) =>
  fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.includes(k) && !FORBIDDEN.has(k));

/** Any JSON value without the keys the contract forbids at every depth. */
const safeJson = fc
  .jsonValue({ maxDepth: 2 })
  .filter((v) => !JSON.stringify(v).match(/"(__proto__|constructor|prototype)":/));

const extras = (known: readonly string[]) =>
  fc.dictionary(extraKey(known), safeJson, { maxKeys: 3 }).map((d) => {
    const safe: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(d)) safe[k] = v;
    return safe;
  });

const seconds = fc.double({ min: 1, max: 4e9, noNaN: true, noDefaultInfinity: true });
const text = (min: number, max: number) => fc.string({ unit: 'binary', minLength: min, maxLength: max });

export const PATTERN_DATA_FIELDS = [
  'symbol',
  'pattern',
  'confidence',
  'flow_id',
  'tier',
  'price_change',
  'current_price',
  'volume',
  'timestamp',
];
export const PATTERN_FIELDS = ['event_type', 'source', 'timestamp', 'data'];

const patternData = fc
  .record(
    {
      symbol: text(1, 20),
      pattern: text(1, 50),
      confidence: fc.double({ min: 0, max: 1, noNaN: true }),
      flow_id: fc.uuid(),
      tier: text(0, 50),
      price_change: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      current_price: fc.double({ min: 0, max: 1e6, noNaN: true }),
      volume: fc.nat(),
      timestamp: seconds,
    },
    { requiredKeys: ['symbol', 'pattern', 'confidence', 'flow_id'] },
  )
  .chain((data) => extras(PATTERN_DATA_FIELDS).map((more) => ({ ...more, ...data })));

/** Valid pattern events of spec 001 §4, optional fields and unknown extra fields included. */
export const validPatternEvent = fc
  .record({ timestamp: seconds, data: patternData })
  .chain(({ timestamp, data }) =>
    extras(PATTERN_FIELDS).map((more) => ({
      ...more,
      event_type: 'pattern_detected',
      source: 'TickStockPL',
      timestamp,
      data,
    })),
  );

const isoTime = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** Valid error messages of spec 004 §1. */
export const validErrorMessage = fc.record(
  {
    error_id: text(1, 255),
    error_type: text(1, 100),
    error_message: text(0, 200),
    error_traceback: fc.option(text(0, 300), { nil: null }),
    severity: fc.constantFrom(...SEVERITIES),
    category: fc.constantFrom(...CATEGORIES),
    context: fc.record(
      {
        component: text(0, 100),
        operation: text(0, 100),
        symbol: fc.option(text(0, 10), { nil: null }),
        timeframe: fc.option(text(0, 50), { nil: null }),
        metadata: fc.dictionary(extraKey([]), safeJson, { maxKeys: 3 }),
        timestamp: fc.oneof(isoTime, seconds),
      },
      { requiredKeys: [] },
    ),
    timestamp: fc.oneof(isoTime, seconds),
  },
  { requiredKeys: ['error_id', 'error_type', 'error_message', 'severity', 'category', 'timestamp'] },
);

const jobId = text(1, 100);
const backtestEnvelope = <K extends string, T>(eventType: K, data: fc.Arbitrary<T>) =>
  fc.record({ timestamp: seconds, data }).map(({ timestamp, data: d }) => ({
    event_type: eventType,
    source: 'TickStockPL' as const,
    timestamp,
    data: d,
  }));

/** Valid backtest progress messages (docs/contract.md: fields under data). */
export const validBacktestProgress = backtestEnvelope(
  'backtest_progress',
  fc.record(
    {
      job_id: jobId,
      progress: fc.double({ min: 0, max: 1, noNaN: true }),
      status: fc.constantFrom('queued', 'running', 'completed', 'failed', 'cancelled'),
      current_symbol: text(0, 20),
      message: text(0, 50),
      eta_seconds: fc.double({ min: 0, max: 1e6, noNaN: true }),
    },
    { requiredKeys: ['job_id', 'progress'] },
  ),
);

/** Valid backtest result messages. */
export const validBacktestResult = backtestEnvelope(
  'backtest_result',
  fc.record(
    {
      job_id: jobId,
      status: fc.constantFrom('completed' as const, 'failed' as const, 'cancelled' as const),
      results: fc.dictionary(extraKey([]), safeJson, { maxKeys: 3 }),
      error: text(0, 50),
    },
    { requiredKeys: ['job_id', 'status'] },
  ),
);
