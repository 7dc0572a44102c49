/* The generator's floor: the floor's bare publisher, in a process of its own as `tickstock sim` is, none of our code. */
import { Redis } from 'ioredis';
import type { LatencySummary } from '../../../src/shared/latency-histogram.ts';
import { childConfig, sendToParent } from './ipc.ts';
import { barePublish } from './machine-floor.ts';

export interface BarePublisherConfig {
  readonly redisUrl: string;
  readonly rate: number;
  readonly durationMs: number;
  /** Sent first and not measured, as the simulator's --warmup. */
  readonly warmupMs: number;
}
export interface BarePublisherResult {
  readonly sent: number;
  readonly warmupSent: number;
  readonly lateness: LatencySummary;
}

const config = childConfig<BarePublisherConfig>();
// One write per PUBLISH, as the simulator's client.
const redis = new Redis(config.redisUrl);
const warmup = await barePublish(redis, config.rate, config.warmupMs);
const result: BarePublisherResult = {
  ...(await barePublish(redis, config.rate, config.durationMs)),
  warmupSent: warmup.sent,
};
redis.disconnect();
sendToParent({ type: 'result', result });
// Gone once its result is sent: an idle process left behind may shrink its heap in full GCs, on the cores
// the next simulator run measures on.
process.disconnect();
