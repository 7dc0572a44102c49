import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { constants, createGunzip, createGzip, gunzipSync } from 'node:zlib';
import {
  RECORDING_FORMAT,
  type RecordedMessage,
  type RecordingHeader,
  type RecordingTrailer,
} from '../contract/schemas/recording.ts';
import { HarnessError } from '../errors/harness-error.ts';

const gzipped = (path: string): boolean => path.endsWith('.gz');

/** A recorded message's bytes: exactly what was published. */
export const messageBytes = (m: RecordedMessage): Buffer =>
  m.data_base64 !== undefined ? Buffer.from(m.data_base64, 'base64') : Buffer.from(m.data ?? '', 'utf8');

/** The line of one message; bytes that are not UTF-8 go as base64, so nothing is re-encoded. */
export function messageLine(t: number, channel: string, bytes: Buffer, redacted = false): string {
  const line: RecordedMessage = isUtf8(bytes)
    ? { t: Math.round(t * 1000) / 1000, channel, data: bytes.toString('utf8') }
    : { t: Math.round(t * 1000) / 1000, channel, data_base64: bytes.toString('base64') };
  return JSON.stringify(redacted ? { ...line, redacted: true } : line);
}

/**
 * A recording being written: NDJSON (gzip when the path ends in .gz), the header first, one line per
 * message, the trailer on close. Lines are buffered by the stream, never dropped.
 */
export async function createRecordingWriter(
  path: string,
  header: Omit<RecordingHeader, 'kind' | 'recording'>,
) {
  const file = createWriteStream(path);
  await Promise.race([
    once(file, 'open'),
    once(file, 'error').then(([error]) => {
      throw new HarnessError(
        'RECORD_OUTPUT',
        `${path}: cannot write the recording (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        'Give --out a path in a writable directory.',
      );
    }),
  ]);
  const gzip = gzipped(path) ? createGzip() : undefined;
  gzip?.pipe(file);
  const out: Writable = gzip ?? file;
  const counts: Record<string, number> = {};
  let messages = 0;
  const write = (line: string): boolean => out.write(`${line}\n`);
  write(JSON.stringify({ kind: 'header', recording: RECORDING_FORMAT, ...header } satisfies RecordingHeader));
  return {
    /** False when the stream's buffer is full: a writer that can wait awaits `drained()`. */
    message(t: number, channel: string, bytes: Buffer, redacted = false): boolean {
      counts[channel] = (counts[channel] ?? 0) + 1;
      messages += 1;
      return write(messageLine(t, channel, bytes, redacted));
    },
    drained: async (): Promise<void> => void (await once(out, 'drain')),
    count: (): number => messages,
    counts: (): Readonly<Record<string, number>> => counts,
    /** Writes the trailer and closes the file (and the gzip stream) cleanly. */
    async close(durationMs: number, endedAt: Date): Promise<void> {
      const trailer: RecordingTrailer = {
        kind: 'trailer',
        ended_at: endedAt.toISOString(),
        duration_ms: Math.round(durationMs),
        messages,
        counts,
      };
      write(JSON.stringify(trailer));
      const closed = once(file, 'close');
      out.end();
      await closed;
    },
  };
}

export type RecordingWriter = Awaited<ReturnType<typeof createRecordingWriter>>;

export type RecordingLine =
  | { readonly kind: 'header'; readonly header: RecordingHeader }
  | { readonly kind: 'message'; readonly message: RecordedMessage; readonly line: number }
  | { readonly kind: 'trailer'; readonly trailer: RecordingTrailer };

const notARecording = (path: string, why: string) =>
  new HarnessError(
    'RECORDING_INVALID',
    `${path}: not a tickstock recording (${why})`,
    'Give a file written by `tickstock record` or `tickstock sim --export`.',
  );

/** The lines of a recording, streamed (a recording of hours is never held in memory). */
export async function* readRecording(path: string): AsyncGenerator<RecordingLine> {
  const raw: Readable = createReadStream(path);
  const input = gzipped(path) ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const text of lines) {
      n += 1;
      if (text.trim() === '') continue;
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw notARecording(path, `line ${n} is not JSON`);
      }
      if (n === 1) {
        if (value['kind'] !== 'header' || value['recording'] !== RECORDING_FORMAT)
          throw notARecording(path, `its first line is not a ${RECORDING_FORMAT} header`);
        yield { kind: 'header', header: value as unknown as RecordingHeader };
      } else if (value['kind'] === 'trailer') {
        yield { kind: 'trailer', trailer: value as unknown as RecordingTrailer };
      } else if (typeof value['t'] === 'number' && typeof value['channel'] === 'string') {
        yield { kind: 'message', message: value as unknown as RecordedMessage, line: n };
      } else {
        throw notARecording(path, `line ${n} is neither a message nor the trailer`);
      }
    }
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    throw notARecording(path, (error as Error).message);
  } finally {
    raw.destroy();
  }
}

const HEAD_BYTES = 4096;

/** Whether the file starts as a recording does (its header line), without reading the rest. */
export async function isRecording(path: string): Promise<boolean> {
  const file = await open(path).catch(() => undefined);
  if (file === undefined) return false;
  try {
    // A directory opens but does not read: not a recording either.
    const read = await file.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0).catch(() => undefined);
    if (read === undefined) return false;
    const { buffer, bytesRead } = read;
    let head = buffer.subarray(0, bytesRead);
    if (gzipped(path)) {
      try {
        head = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }); // a partial stream
      } catch {
        return false;
      }
    }
    const first = head.toString('utf8').split('\n', 1)[0] ?? '';
    return first.includes('"kind":"header"') && first.includes(`"recording":"${RECORDING_FORMAT}"`);
  } finally {
    await file.close();
  }
}
