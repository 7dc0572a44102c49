import type { Alert, AlertRule } from '../../contract/schemas/client-payloads.ts';
import type { ErrorMessage } from '../../contract/schemas/error-message.ts';

/** Spec 004's alert thresholds; each fires once per window. */
export interface AlertThresholds {
  /** More than this many errors (severity error or critical) in one minute. */
  readonly errorsPerMinute: number;
  /** More than this many errors of one category within `categoryWindowMinutes`. */
  readonly perCategory: number;
  readonly categoryWindowMinutes: number;
  /** More than this many pattern failures (category pattern) for one symbol within `symbolWindowMinutes`. */
  readonly patternFailuresPerSymbol: number;
  readonly symbolWindowMinutes: number;
  /** Any critical, and any database error, alert at most once per this many seconds. */
  readonly repeatSeconds: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  errorsPerMinute: 10,
  perCategory: 5,
  categoryWindowMinutes: 5,
  patternFailuresPerSymbol: 3,
  symbolWindowMinutes: 5,
  repeatSeconds: 60,
};

/** Times of recent events per key, kept only as long as the window. */
class SlidingCounts {
  private readonly times = new Map<string, number[]>();

  constructor(private readonly windowMs: number) {}

  add(key: string, at: number): number {
    const kept = (this.times.get(key) ?? []).filter((t) => at - t < this.windowMs);
    kept.push(at);
    this.times.set(key, kept);
    return kept.length;
  }
}

/**
 * Evaluates every error message against the thresholds and returns the alerts that fire now.
 * A rule that fired stays quiet for its window (per category, per symbol).
 */
export function createAlertRules(thresholds: AlertThresholds, now: () => number) {
  const minute = 60_000;
  const rate = new SlidingCounts(minute);
  const categories = new SlidingCounts(thresholds.categoryWindowMinutes * minute);
  const symbols = new SlidingCounts(thresholds.symbolWindowMinutes * minute);
  const quietUntil = new Map<string, number>();

  const fire = (
    rule: AlertRule,
    key: string,
    windowMs: number,
    count: number,
    message: string,
  ): Alert | undefined => {
    const at = now();
    if ((quietUntil.get(`${rule}:${key}`) ?? 0) > at) return undefined;
    quietUntil.set(`${rule}:${key}`, at + windowMs);
    return {
      rule,
      message,
      count,
      window_seconds: Math.round(windowMs / 1000),
      fired_at: new Date(at).toISOString(),
    };
  };

  return {
    /** The alerts this error message fires. */
    evaluate(error: ErrorMessage): Alert[] {
      const at = now();
      const alerts: (Alert | undefined)[] = [];
      const repeat = thresholds.repeatSeconds * 1000;
      if (error.severity === 'critical')
        alerts.push(
          fire('critical', '', repeat, 1, `Critical error: ${error.error_type}: ${error.error_message}`),
        );
      if (error.severity !== 'error' && error.severity !== 'critical')
        return alerts.filter((a) => a !== undefined);
      const perMinute = rate.add('', at);
      if (perMinute > thresholds.errorsPerMinute)
        alerts.push(
          fire(
            'error_rate',
            '',
            minute,
            perMinute,
            `${perMinute} errors in the last minute (threshold ${thresholds.errorsPerMinute})`,
          ),
        );
      const inCategory = categories.add(error.category, at);
      if (inCategory > thresholds.perCategory)
        alerts.push(
          fire(
            'category_burst',
            error.category,
            thresholds.categoryWindowMinutes * minute,
            inCategory,
            `${inCategory} ${error.category} errors within ${thresholds.categoryWindowMinutes} minutes (threshold ${thresholds.perCategory})`,
          ),
        );
      const symbol = error.context?.symbol;
      if (error.category === 'pattern' && symbol) {
        const failures = symbols.add(symbol, at);
        if (failures > thresholds.patternFailuresPerSymbol)
          alerts.push(
            fire(
              'symbol_pattern_failures',
              symbol,
              thresholds.symbolWindowMinutes * minute,
              failures,
              `${failures} pattern detection failures for ${symbol} within ${thresholds.symbolWindowMinutes} minutes (threshold ${thresholds.patternFailuresPerSymbol})`,
            ),
          );
      }
      if (error.category === 'database')
        alerts.push(
          fire(
            'database_error',
            'producer',
            repeat,
            1,
            `Database error at the producer: ${error.error_type}: ${error.error_message}`,
          ),
        );
      return alerts.filter((a) => a !== undefined);
    },
    /** Our own database failing (error_logs cannot be written) is a database error too. */
    databaseFailure(reason: string): Alert | undefined {
      return fire(
        'database_error',
        'consumer',
        thresholds.repeatSeconds * 1000,
        1,
        `error_logs cannot be written: ${reason}`,
      );
    },
  };
}
