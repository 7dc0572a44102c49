import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { pollUntil } from './wait-for.ts';

// In a process of its own: the test's own event loop (publishing, fast-check) must not be what is timed.
const PROBE = `
const url = process.argv[1];
let stopped = false, slowest = 0, asked = 0;
process.stdin.on('end', () => (stopped = true)).resume();
while (!stopped) {
  const start = performance.now();
  await (await fetch(url)).arrayBuffer();
  // The first answer opens the connection: it is not timed. A dot says each answer came.
  if ((asked += 1) > 1) slowest = Math.max(slowest, performance.now() - start);
  process.stdout.write('.');
  await new Promise((resolve) => setTimeout(resolve, 10)); // the probe's pace, not a wait for an event
}
process.stdout.write(JSON.stringify({ slowest, asked: asked - 1 }));
`;

/**
 * Asks `url` every ~10 ms from another process, from when it resolves (the first answer came) until
 * stopped; then says the slowest timed answer (ms) and how many were timed.
 */
export async function probeHealth(url: string) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE, url], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await pollUntil(() => out.startsWith('.'), { timeoutMs: 10_000, what: 'the health probe running' });
  return {
    /** How many answers came so far. */
    asked: () => /^\.*/.exec(out)![0].length,
    async stop(): Promise<{ slowest: number; asked: number }> {
      child.stdin.end();
      await once(child, 'close');
      return JSON.parse(out.replace(/^\.*/, '')) as { slowest: number; asked: number };
    },
  };
}
