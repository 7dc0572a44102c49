import { CounterWindow } from '../shared/counter-window.ts';
import { formatMs } from '../shared/latency-histogram.ts';
import type { DemoBrowser } from './demo-browser.ts';

/**
 * The status line's measured figures, over the last `seconds` (never totals since the start): events/s
 * into the consumer and out to the built-in browser, its publish→browser p50/p99, and the share of
 * published events it received. Call once a second: each call closes a second of the window.
 */
export function windowedFigures(browser: DemoBrowser, seconds: number, startMs: number) {
  const counts = new CounterWindow<'in' | 'out' | 'published'>(seconds);
  counts.sample(startMs, { in: 0, out: 0, published: 0 }); // the first second has a rate too
  const perSecond = (key: 'in' | 'out'): string => {
    const { delta, seconds: span } = counts.growth(key);
    return span === 0 ? '0' : (delta / span).toFixed(0);
  };
  return (atMs: number, consumerReceived: number): string => {
    const { published, received } = browser.counts();
    counts.sample(atMs, { in: consumerReceived, out: received, published });
    const latency = browser.window.summary();
    browser.window.advance();
    const sent = counts.growth('published').delta;
    return [
      `last ${seconds} s: in ${perSecond('in')}, out ${perSecond('out')} events/s`,
      latency.count === 0
        ? 'publish→browser: nothing received'
        : `publish→browser p50 ${formatMs(latency.p50)} p99 ${formatMs(latency.p99)}`,
      `delivered ${sent === 0 ? '–' : `${((100 * counts.growth('out').delta) / sent).toFixed(1)} %`}`,
    ].join(' · ');
  };
}
