import {
  CATEGORIES,
  SEVERITIES,
  type Category,
  type ErrorMessage,
  type Severity,
} from '../contract/schemas/error-message.ts';
import type { Random } from '../shared/seeded-random.ts';

interface Source {
  readonly type: string;
  readonly component: string;
  readonly operations: readonly string[];
  readonly messages: readonly string[];
}

// What TickStockPL's components fail at, by category (spec 004 §3).
const SOURCES: Readonly<Record<Category, Source>> = {
  pattern: {
    type: 'PatternDetectionError',
    component: 'PatternDetector',
    operations: ['detect_doji', 'detect_hammer', 'detect_engulfing'],
    messages: [
      'Pattern detection failed for {p}: Insufficient data',
      'Pattern detection failed for {p}: NaN in OHLC window',
    ],
  },
  indicator: {
    type: 'IndicatorCalculationError',
    component: 'IndicatorEngine',
    operations: ['calculate_rsi', 'calculate_macd', 'calculate_vwap'],
    messages: ['RSI window shorter than period (14)', 'MACD signal line diverged: division by zero'],
  },
  database: {
    type: 'DatabaseConnectionError',
    component: 'TimescaleWriter',
    operations: ['write_bars', 'refresh_view'],
    messages: ['could not connect to server: Connection refused', 'connection pool exhausted (20/20)'],
  },
  network: {
    type: 'NetworkTimeoutError',
    component: 'PolygonClient',
    operations: ['fetch_aggregates', 'stream_trades'],
    messages: ['Polygon.io request timed out after 30 s', 'HTTP 429 Too Many Requests from Polygon.io'],
  },
  validation: {
    type: 'DataValidationError',
    component: 'BarValidator',
    operations: ['validate_bar', 'validate_split'],
    messages: ['high < low in bar', 'volume is negative'],
  },
  performance: {
    type: 'PerformanceThresholdError',
    component: 'PipelineMonitor',
    operations: ['check_latency'],
    messages: ['pattern scan took 2.4 s (threshold 1 s)', 'queue depth 12,000 over threshold 5,000'],
  },
  configuration: {
    type: 'ConfigurationError',
    component: 'Settings',
    operations: ['load_config'],
    messages: ['POLYGON_API_KEY is not set', 'unknown timeframe "2h" in PATTERN_TIMEFRAMES'],
  },
  unknown: {
    type: 'UnexpectedError',
    component: 'Worker',
    operations: ['run'],
    messages: ['unexpected exception in worker loop'],
  },
};
const SYMBOLS = ['AAPL', 'GOOGL', 'MSFT', 'TSLA', 'NVDA', 'AMZN', 'META'];
const PATTERNS = ['Doji', 'Hammer', 'Engulfing', 'Volume_Spike'];
const TIMEFRAMES = ['1min', '5min', 'daily'];

function traceback(random: Random, source: Source, operation: string, message: string): string {
  const file = source.component.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return [
    'Traceback (most recent call last):',
    `  File "/app/src/services/${file}.py", line ${random.int(40, 400)}, in ${operation}`,
    `    result = self._${operation}(bars, symbol)`,
    `  File "/app/src/services/${file}.py", line ${random.int(400, 900)}, in _${operation}`,
    `    raise ${source.type}(msg)`,
    `src.core.exceptions.${source.type}: ${message}`,
  ].join('\n');
}

export type SeverityWeights = Readonly<Partial<Record<Severity, number>>>;

export interface ErrorMix {
  readonly severities: SeverityWeights;
  readonly categories: readonly Category[];
}

export const DEFAULT_MIX: ErrorMix = {
  severities: { debug: 1, info: 2, warning: 4, error: 3, critical: 0.2 },
  categories: CATEGORIES,
};

function weighted(random: Random, weights: SeverityWeights): Severity {
  const entries = SEVERITIES.map((s) => [s, weights[s] ?? 0] as const).filter(([, w]) => w > 0);
  let roll = random.next() * entries.reduce((a, [, w]) => a + w, 0);
  for (const [s, w] of entries) if ((roll -= w) < 0) return s;
  return entries[entries.length - 1]?.[0] ?? 'error';
}

/** Seeded error messages of spec 004 §1 with realistic contexts and Python tracebacks. */
export function createErrorGenerator(random: Random) {
  let n = 0;
  const build = (severity: Severity, category: Category, nowMs: number, test = false): ErrorMessage => {
    const source = SOURCES[category];
    const operation = random.pick(source.operations);
    const message = random.pick(source.messages).replace('{p}', random.pick(PATTERNS));
    const iso = new Date(nowMs).toISOString().replace('Z', '');
    n += 1;
    return {
      error_id: test
        ? `Test_${category}_${nowMs / 1000}_${n}`
        : `${source.component}_${operation}_${(nowMs / 1000).toFixed(3)}_${n}`,
      error_type: test ? `Test${category[0]!.toUpperCase()}${category.slice(1)}Error` : source.type,
      error_message: test ? `This is a test ${severity} message for ${category}` : message,
      error_traceback: test
        ? 'Test traceback...\nLine 2\nLine 3'
        : traceback(random, source, operation, message),
      severity,
      category,
      context: {
        component: test ? 'TestComponent' : source.component,
        operation: test ? 'test_operation' : operation,
        symbol: random.pick(SYMBOLS),
        timeframe: random.pick(TIMEFRAMES),
        // Spec 004's free-form metadata says so: a dashboard never reads a made-up critical as a real one.
        metadata: {
          ...(test ? { test: true } : { attempt: random.int(1, 3), host: `worker-${random.int(1, 4)}` }),
          simulated: true,
        },
        timestamp: iso,
      },
      timestamp: iso,
    };
  };
  return {
    next: (nowMs: number, mix: ErrorMix = DEFAULT_MIX): ErrorMessage =>
      build(weighted(random, mix.severities), random.pick(mix.categories), nowMs),
    /**
     * Spec 004's run_test_sequence(): each severity, then errors in five categories. The spec's script
     * sends category "test", which §3 does not list; "unknown" stands in for it.
     */
    testSequence: (nowMs: number): ErrorMessage[] => [
      ...SEVERITIES.map((s) => build(s, 'unknown', nowMs, true)),
      ...(['pattern', 'indicator', 'database', 'network', 'validation'] as const).map((c) =>
        build('error', c, nowMs, true),
      ),
    ],
  };
}

/** `debug:1,error:3` → weights; throws on an unknown severity or a bad weight. */
export function parseSeverityWeights(text: string): SeverityWeights {
  const weights: Partial<Record<Severity, number>> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [name = '', weight = '1'] = part.split(':');
    if (!(SEVERITIES as readonly string[]).includes(name) || !(Number(weight) >= 0))
      throw new Error(`"${part}" is not severity:weight with a severity of ${SEVERITIES.join(', ')}`);
    weights[name as Severity] = Number(weight);
  }
  return weights;
}
