import { pubSubOf, type PubSubClient } from '../services/pubsub-transport.ts';
import { CHANNELS } from '../contract/channels.ts';
import type { PatternEvent } from '../contract/schemas/pattern-event.ts';
import { validateMessage } from '../contract/validate.ts';
import type { Clock } from '../shared/clock.ts';
import { LatencyHistogram } from '../shared/latency-histogram.ts';
import type { Logger } from '../shared/logger.ts';
import { afterPrecisely } from '../shared/precise-timer.ts';
import type { Random } from '../shared/seeded-random.ts';
import type { ProducerRecorder } from '../sim/producer-recorder.ts';
import { messageBytes, readRecording } from '../sim/recording-file.ts';
import type { SentError } from './error-ledger.ts';
import type { LoadSource } from './run-load.ts';

export interface ReplayOptions {
  readonly path: string;
  /** 2: twice as fast (inter-arrival times halved). */
  readonly speed: number;
  /** Start again at the end, until `seconds` have passed. */
  readonly loop: boolean;
  /** New flow and error ids (and timestamps) on every message, so replays never merge in the database. */
  readonly freshIds: boolean;
  /** How long to replay at most (looping needs it); undefined: the recording once. */
  readonly seconds: number | undefined;
}

/** A message as it goes out again, and what the run learns from it. */
interface Outgoing {
  readonly channel: string;
  readonly bytes: Buffer;
  readonly intendedAtMs: number;
  readonly pattern?: PatternEvent;
  readonly error?: SentError;
}

/** The message as the run re-sends it: re-stamped when fresh ids are asked for (or on a loop's later pass). */
function prepare(channel: string, raw: Buffer, intendedAtMs: number, fresh: Random | undefined): Outgoing {
  const verdict = validateMessage(raw, { channel });
  if (!verdict.ok) return { channel, bytes: raw, intendedAtMs };
  if (verdict.kind === 'pattern_detected') {
    const pattern =
      fresh === undefined
        ? verdict.message
        : {
            ...verdict.message,
            timestamp: intendedAtMs / 1000,
            data: { ...verdict.message.data, flow_id: fresh.uuid() },
          };
    return { channel, bytes: fresh ? Buffer.from(JSON.stringify(pattern)) : raw, intendedAtMs, pattern };
  }
  if (verdict.kind === 'error') {
    const message = fresh === undefined ? verdict.message : { ...verdict.message, error_id: fresh.uuid() };
    return {
      channel,
      bytes: fresh ? Buffer.from(JSON.stringify(message)) : raw,
      intendedAtMs,
      error: { errorId: message.error_id, severity: message.severity, intendedAtMs },
    };
  }
  return { channel, bytes: raw, intendedAtMs };
}

/**
 * A recording as a run's load: every message on its channel at its recorded offset (divided by the
 * speed) from the run's start, streamed from the file. Pattern events are the run's flows, recorded as
 * PATTERN_PUBLISHED first as the simulator does; valid errors enter the error ledger; anything else
 * (malformed included) goes out byte for byte and is counted.
 */
export function replaySource(
  deps: {
    readonly redis: PubSubClient;
    readonly recorder: ProducerRecorder | undefined;
    readonly clock: Clock;
    readonly logger: Logger;
    /** Draws the fresh ids. */
    readonly random: Random;
  },
  options: ReplayOptions,
): LoadSource {
  const { clock } = deps;
  const pubsub = pubSubOf(deps.redis);
  let stopping = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      afterPrecisely(clock, Math.max(0, ms), resolve);
    });
  return {
    async run(onSent, onError, onUnheard) {
      const lateness = new LatencyHistogram();
      const errorLateness = new LatencyHistogram();
      const counts = { flows: 0, malformed: 0, aux: 0, errors: 0 };
      const start = clock.now();
      const end = options.seconds === undefined ? Infinity : start + options.seconds * 1000;
      const replies: Promise<unknown>[] = [];
      let batch: Outgoing[] = [];
      // What fell due together goes together: PATTERN_PUBLISHED for its events in one statement, then
      // each PUBLISH in order, as the simulator's send queue does.
      const flush = async (): Promise<void> => {
        const due = batch;
        batch = [];
        const patterns = due.flatMap((o) => (o.pattern === undefined ? [] : [o.pattern]));
        if (patterns.length > 0)
          await deps.recorder?.published(patterns).catch((error: unknown) => {
            deps.logger.error(
              { err: (error as Error).message },
              'PATTERN_PUBLISHED not recorded; publishing anyway',
            );
          });
        const at = clock.now();
        for (const out of due) {
          if (out.pattern !== undefined) {
            onSent(out.pattern.data.flow_id, out.intendedAtMs);
            counts.flows += 1;
          } else if (out.error !== undefined) {
            onError?.(out.error);
            counts.errors += 1;
          } else if (out.channel === CHANNELS.patterns) counts.malformed += 1;
          else counts.aux += 1;
          (out.error === undefined ? lateness : errorLateness).record(at - out.intendedAtMs);
          const errorId = out.error?.errorId;
          const reply = pubsub.publish(out.channel, out.bytes);
          replies.push(errorId === undefined ? reply : reply.then((n) => n === 0 && onUnheard?.(errorId)));
        }
        if (replies.length >= 1000) await Promise.all(replies.splice(0));
      };
      let passStart = start;
      for (let pass = 0; !stopping && (pass === 0 || options.loop); pass += 1) {
        let lastT = 0;
        const fresh = options.freshIds || pass > 0 ? deps.random : undefined;
        for await (const line of readRecording(options.path)) {
          if (line.kind !== 'message') continue;
          lastT = line.message.t;
          const intended = passStart + line.message.t / options.speed;
          if (stopping || intended >= end) break;
          if (intended > clock.now()) {
            await flush();
            if (intended > clock.now()) await pause(intended - clock.now());
          }
          if (stopping) break;
          batch.push(prepare(line.message.channel, messageBytes(line.message), intended, fresh));
        }
        await flush();
        if (stopping || clock.now() >= end) break;
        // The next pass starts one interval after this one's last message.
        passStart += lastT / options.speed + 1;
      }
      await Promise.all(replies);
      return {
        sent: counts.flows,
        lateness: lateness.summary(),
        malformed: counts.malformed,
        aux: counts.aux,
        errors: counts.errors,
        errorLateness: counts.errors > 0 ? errorLateness.summary() : null,
      };
    },
    stop() {
      stopping = true;
      wake?.();
    },
  };
}
