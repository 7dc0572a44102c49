import type { Redis } from 'ioredis';
import type { Clock } from '../shared/clock.ts';
import type { RecordingWriter } from './recording-file.ts';
import { redactFields } from './redact-fields.ts';

/**
 * Records what Redis delivers on the channel patterns (PSUBSCRIBE), each message's bytes as received
 * and its arrival time, into `writer`. `redis` is a connection of its own (it enters subscriber mode).
 */
export async function recordTraffic(
  deps: { readonly redis: Redis; readonly clock: Clock; readonly writer: RecordingWriter },
  options: { readonly patterns: readonly string[]; readonly redact: readonly string[] },
) {
  const { redis, clock, writer } = deps;
  const fields = new Set(options.redact);
  const startedAt = clock.now();
  let redacted = 0;
  redis.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
    const t = clock.now() - startedAt;
    const blanked = redactFields(message, fields);
    if (blanked !== null) redacted += 1;
    writer.message(t, channel.toString('utf8'), blanked ?? message, blanked !== null);
  });
  await redis.psubscribe(...options.patterns);
  return {
    startedAt,
    redacted: (): number => redacted,
    /** Unsubscribes; what arrived before is in the writer. */
    async stop(): Promise<void> {
      await redis.punsubscribe();
    },
  };
}
