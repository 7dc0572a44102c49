import { CHECKPOINTS } from '../contract/checkpoints.ts';
import type { FlowCheckpoints } from '../db/integration-events.ts';
import { LatencyHistogram, type LatencySummary } from '../shared/latency-histogram.ts';

/** Reads the checkpoints of some flows (integration_events, by flow_id). */
export type ReadCheckpoints = (flowIds: readonly string[]) => Promise<FlowCheckpoints[]>;

/** What the checkpoints say about a run's flows. */
export interface CheckpointSummary {
  /** The checkpoints a complete flow has: PATTERN_PUBLISHED, then those the profile's consumer writes. */
  readonly chain: readonly string[];
  readonly complete: number;
  /** Per hop of the chain, from the database's timestamps. */
  readonly hops: readonly { readonly from: string; readonly to: string; readonly latency: LatencySummary }[];
  /** Each flow short of the chain, with the last checkpoint it reached (null: none at all). */
  readonly incomplete: ReadonlyMap<string, string | null>;
}

const CHUNK = 5000;

/**
 * Every flow of the run against the chain of checkpoints its consumer records. A consumer that records
 * none (its profile says so) gets no summary: "this consumer records no checkpoints", never "every
 * flow incomplete".
 */
export async function readCheckpointLedger(
  read: ReadCheckpoints,
  flowIds: readonly string[],
  consumerCheckpoints: readonly string[],
): Promise<CheckpointSummary | 'none-recorded'> {
  if (consumerCheckpoints.length === 0) return 'none-recorded';
  const chain = [CHECKPOINTS.patternPublished, ...consumerCheckpoints];
  const hops = chain.slice(1).map((to, i) => ({ from: chain[i]!, to, histogram: new LatencyHistogram() }));
  const found = new Map<string, Readonly<Record<string, number>>>();
  for (let i = 0; i < flowIds.length; i += CHUNK)
    for (const row of await read(flowIds.slice(i, i + CHUNK))) found.set(row.flow_id, row.checkpoints);
  const incomplete = new Map<string, string | null>();
  let complete = 0;
  for (const flowId of flowIds) {
    const at = found.get(flowId) ?? {};
    hops.forEach((h) => {
      const [a, b] = [at[h.from], at[h.to]];
      if (a !== undefined && b !== undefined) h.histogram.record(Math.max(0, b - a));
    });
    if (chain.every((c) => at[c] !== undefined)) {
      complete += 1;
      continue;
    }
    const reached = chain.filter((c) => at[c] !== undefined);
    incomplete.set(flowId, reached.at(-1) ?? null);
  }
  return {
    chain,
    complete,
    hops: hops.map((h) => ({ from: h.from, to: h.to, latency: h.histogram.summary() })),
    incomplete,
  };
}
