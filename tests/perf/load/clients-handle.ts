import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../../src/shared/clock.ts';
import type { LatencySummary } from '../../../src/shared/latency-histogram.ts';
import type { ClientsProcessResult } from './clients-process.ts';
import { nextMessage } from './ipc.ts';

/** Warm-up before every measured load: the processes start cold and JIT-compile at once, which on
 * this 2-core machine stalled the consumer and the clients for up to 180 ms in the first second. */
export const WARMUP_MS = 3000;

/** The orchestrator's side of a clients process (tests/perf/load/clients-process.ts). */
export function clientsHandle(child: ChildProcess) {
  let lowest = 0;
  child.on('message', (m: { type: string; count?: number }) => {
    if (m.type === 'progress') lowest = m.count ?? 0;
  });
  const result = async (): Promise<ClientsProcessResult> => {
    const m = await nextMessage<ClientsProcessResult>(child, 'result', 30_000);
    if (m.type !== 'result') throw new Error('no result from the clients process');
    return m.result;
  };
  return {
    /** Until every client has received `count` events since the last reset, or `timeoutMs` passed. */
    async untilReceived(count: number, timeoutMs = 10_000): Promise<void> {
      const deadline = systemClock.now() + timeoutMs;
      while (lowest < count && systemClock.now() < deadline) await sleep(50);
    },
    /** What the clients measured so far (the warm-up); they start again from zero. */
    async reset(): Promise<ClientsProcessResult> {
      child.send({ type: 'reset' });
      const measured = await result();
      lowest = 0; // progress sent before the reset has arrived by now: IPC keeps the order
      return measured;
    },
    async stop(): Promise<ClientsProcessResult> {
      child.send({ type: 'stop' });
      return result();
    },
  };
}

/** Publishes for WARMUP_MS, waits for the clients to receive it, then resets them: warm-up latency. */
export async function warmUp(
  clients: ReturnType<typeof clientsHandle>,
  publish: (durationMs: number) => Promise<number>,
): Promise<LatencySummary> {
  const sent = await publish(WARMUP_MS);
  await clients.untilReceived(sent);
  return (await clients.reset()).latency;
}
