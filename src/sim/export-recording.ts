import { CHANNELS } from '../contract/channels.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { createPatternGenerator, DEFAULT_UNIVERSE } from './pattern-generator.ts';
import type { RecordingWriter } from './recording-file.ts';
import { schedule, type Scenario } from './scenarios.ts';

/**
 * A seeded synthetic run written as a recording instead of published: the simulator's events at their
 * scheduled offsets, stamped as if the run had started at `startMs`. Nothing waits for the schedule:
 * an hour of it is written in minutes. The same seeds give the same events as `tickstock sim`.
 */
export async function exportRecording(
  writer: RecordingWriter,
  options: {
    readonly seed: number;
    readonly idSeed: number;
    readonly scenario: Scenario;
    readonly startMs: number;
    /** One of the two ends the schedule. */
    readonly durationMs?: number | undefined;
    readonly count?: number | undefined;
  },
): Promise<{ readonly written: number; readonly lastOffsetMs: number }> {
  const random = seededRandom(options.seed);
  const generator = createPatternGenerator(random, DEFAULT_UNIVERSE, seededRandom(options.idSeed));
  const end = options.durationMs ?? Infinity;
  const limit = options.count ?? Infinity;
  let written = 0;
  let lastOffsetMs = 0;
  for (const offset of schedule(options.scenario)) {
    if (offset >= end || written >= limit) break;
    const event = generator.next((options.startMs + offset) / 1000);
    // Waits for the file when its buffer is full: an hour's run is written in constant memory.
    if (!writer.message(offset, CHANNELS.patterns, Buffer.from(JSON.stringify(event))))
      await writer.drained();
    written += 1;
    lastOffsetMs = offset;
  }
  return { written, lastOffsetMs };
}
