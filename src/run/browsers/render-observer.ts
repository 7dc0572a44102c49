/** Where the in-page observer leaves what it saw, for the run to drain. */
export const RENDERS_GLOBAL = '__tickstockRenders';

/**
 * The script each page runs before its own (page.addInitScript): a MutationObserver that notes every
 * node matching `selector` as it enters the DOM, with the wall clock (timeOrigin + now, comparable with
 * the run's clock on this machine) and its text. The observer runs before the frame is painted; the
 * paint follows within a frame. A string, not a function: a function's source would carry whatever
 * helpers the TypeScript compiler put into it.
 */
export function renderObserverScript(selector: string): string {
  return `(() => {
  const selector = ${JSON.stringify(selector)};
  const seen = (window[${JSON.stringify(RENDERS_GLOBAL)}] = []);
  const note = (node, atMs) => seen.push({ atMs, text: node.textContent || '' });
  new MutationObserver((mutations) => {
    const atMs = performance.timeOrigin + performance.now();
    for (const m of mutations)
      for (const node of m.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.matches(selector)) note(node, atMs);
        for (const inner of node.querySelectorAll(selector)) note(inner, atMs);
      }
  }).observe(document, { childList: true, subtree: true });
})();`;
}

/** Drains what the observer saw since the last drain (run in the page). */
export const drainScript = `window[${JSON.stringify(RENDERS_GLOBAL)}].splice(0)`;
