/**
 * Runs queued work in order, in slices of at most `sliceMs` with I/O between them: a burst of costly
 * messages arrives in one read from Redis, and handled in one go it kept /health and the browsers'
 * sockets waiting for all of it. Work is done at once while this turn's slice lasts, so the messages of
 * one read are emitted back to back and a client's frames leave together: deferring each message to
 * its own turn (setImmediate) gave every frame its own write, and halved what 1,000 clients received.
 */
export function slicedQueue<Item>(handle: (item: Item) => void, sliceMs: number) {
  let items: Item[] = [];
  let head = 0; // consumed items stay until the queue empties: no O(n) shift per item
  let sliceEnd: number | undefined; // while a slice runs in this turn of the event loop
  let pending = false; // the rest waits for a later turn
  const run = (): void => {
    while (head < items.length) {
      if (performance.now() >= sliceEnd!) {
        if (!pending) {
          pending = true;
          setImmediate(drain);
        }
        return;
      }
      handle(items[head++]!);
    }
    [items, head] = [[], 0];
  };
  const drain = (): void => {
    pending = false;
    sliceEnd = performance.now() + sliceMs;
    run();
    if (!pending) sliceEnd = undefined;
  };
  return {
    push(item: Item): void {
      items.push(item);
      if (pending) return; // behind what an earlier turn left, in order
      if (sliceEnd === undefined) {
        sliceEnd = performance.now() + sliceMs;
        setImmediate(() => {
          if (!pending) sliceEnd = undefined; // this turn's slice is over
        });
      }
      run();
    },
    /** Handles what is still queued, now (on close: every message received is handled). */
    flush(): void {
      while (head < items.length) handle(items[head++]!);
      [items, head] = [[], 0];
    },
  };
}
