import { Type, type Static } from '@sinclair/typebox';

export const RECORDING_FORMAT = 'tickstock-recording/1';

/** The first line of a recording (docs/operations.md): where and when it was made. */
export const RecordingHeader = Type.Object(
  {
    kind: Type.Literal('header'),
    recording: Type.Literal(RECORDING_FORMAT),
    started_at: Type.String({ description: 'ISO 8601, UTC' }),
    source: Type.String({ description: 'where it was recorded (a Redis address without credentials, or sim)' }),
    channels: Type.Array(Type.String(), { description: 'the channel patterns subscribed to' }),
    redacted: Type.Array(Type.String(), { description: 'field names whose values were blanked' }),
  },
  { $id: 'RecordingHeader', title: 'tickstock recording: header line', additionalProperties: false },
);

/**
 * One message as it arrived. `data` holds the bytes when they are UTF-8 (exactly: JSON escapes
 * round-trip), `data_base64` when they are not, so malformed messages stay malformed.
 */
export const RecordedMessage = Type.Object(
  {
    t: Type.Number({ minimum: 0, description: 'ms since the recording started' }),
    channel: Type.String(),
    data: Type.Optional(Type.String()),
    data_base64: Type.Optional(Type.String()),
    redacted: Type.Optional(Type.Literal(true, { description: 're-encoded: some field was blanked' })),
  },
  { $id: 'RecordedMessage', title: 'tickstock recording: message line', additionalProperties: false },
);

/** The last line: what the recording holds (absent when the recorder was killed). */
export const RecordingTrailer = Type.Object(
  {
    kind: Type.Literal('trailer'),
    ended_at: Type.String(),
    duration_ms: Type.Number({ minimum: 0 }),
    messages: Type.Integer({ minimum: 0 }),
    counts: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'messages by channel' }),
  },
  { $id: 'RecordingTrailer', title: 'tickstock recording: trailer line', additionalProperties: false },
);

export type RecordingHeader = Static<typeof RecordingHeader>;
export type RecordedMessage = Static<typeof RecordedMessage>;
export type RecordingTrailer = Static<typeof RecordingTrailer>;
