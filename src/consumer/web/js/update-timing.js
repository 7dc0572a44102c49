/**
 * Wraps a page update so each run is a performance measure named `name`, seen by a PerformanceObserver
 * (the browser tests hold each update to a frame, 16 ms). It ends after the microtasks the update
 * queued, since uPlot draws in one. Cleared from the timeline at once: a page open for days keeps none.
 */
export function timed(name, update) {
  return (...args) => {
    const start = performance.now();
    try {
      return update(...args);
    } finally {
      void Promise.resolve().then(() => {
        performance.measure(name, { start });
        performance.clearMeasures(name);
      });
    }
  };
}
