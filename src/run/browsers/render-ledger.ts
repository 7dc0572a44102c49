import { LatencyHistogram, type LatencySummary } from '../../shared/latency-histogram.ts';
import type { SentError } from '../error-ledger.ts';

/** A node matching a page's error selector, as the page saw it enter the DOM (epoch ms, its text). */
export interface RenderedNode {
  readonly atMs: number;
  readonly text: string;
}

// An id is told from the words around it by white space, brackets, quotes, commas and semicolons, and a
// trailing ':' or '.' is punctuation: whole words only, so id `x_1` never matches the text of `x_12`.
const SEPARATORS = /[\s[\](){}<>"',;]+/;
const TRAILING = /[:.]+$/;

export function wordsOf(text: string): string[] {
  return text.split(SEPARATORS).flatMap((w) => {
    const bare = w.replace(TRAILING, '');
    return bare === w ? [w] : [w, bare];
  });
}

/** What one page rendered: the first time each word appeared in a matching node. */
export function createRenderLedger() {
  const firstAt = new Map<string, number>();
  return {
    add(nodes: readonly RenderedNode[]): void {
      for (const node of nodes)
        for (const word of wordsOf(node.text))
          if (word !== '' && !(firstAt.get(word)! <= node.atMs)) firstAt.set(word, node.atMs);
    },
    /** When the error with this id was first rendered; undefined: never. */
    renderedAt: (errorId: string): number | undefined => firstAt.get(errorId),
  };
}

export type RenderLedger = ReturnType<typeof createRenderLedger>;

export interface RenderJudgement {
  /** Rendered − intended send time, every page's first render of every error. */
  readonly errorToPage: LatencySummary;
  /** Per page: how many of the errors it rendered. */
  readonly shownPerPage: readonly number[];
  /** Errors some page never rendered, with which pages. */
  readonly notRendered: readonly {
    readonly errorId: string;
    readonly severity: string;
    readonly pagesMissed: readonly number[];
  }[];
}

/** The pages' renders held against the errors they should show, timed from each intended send time. */
export function judgeRenders(
  pages: readonly RenderLedger[],
  toRender: readonly SentError[],
): RenderJudgement {
  const latency = new LatencyHistogram();
  const shownPerPage = pages.map(() => 0);
  const notRendered: RenderJudgement['notRendered'][number][] = [];
  for (const error of toRender) {
    const pagesMissed: number[] = [];
    pages.forEach((page, i) => {
      const at = page.renderedAt(error.errorId);
      if (at === undefined) return void pagesMissed.push(i);
      shownPerPage[i]! += 1;
      latency.record(at - error.intendedAtMs);
    });
    if (pagesMissed.length > 0)
      notRendered.push({ errorId: error.errorId, severity: error.severity, pagesMissed });
  }
  return { errorToPage: latency.summary(), shownPerPage, notRendered };
}
