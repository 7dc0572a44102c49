import { Ajv, type ValidateFunction } from 'ajv';
import { ALL_CHANNELS, isChannelName } from './channels.ts';
import { fromAjvErrors } from './ajv-violations.ts';
import { hintFor } from './hints.ts';
import {
  kindOfChannel,
  MESSAGE_KINDS,
  MESSAGE_SPECS,
  type ContractMessage,
  type MessageKind,
} from './messages.ts';
import { nearestName } from './nearest-name.ts';
import { decodeRaw } from './raw-input.ts';
import { UUID_PATTERN } from './schemas/common.ts';
import { unknownFieldNotes } from './unknown-fields.ts';
import { jsonPath, type Note, type Violation } from './violations.ts';

export type Verdict =
  | (ContractMessage & { readonly ok: true; readonly notes: readonly Note[] })
  | {
      readonly ok: false;
      /** The kind it was checked as, when one could be told. */
      readonly kind: MessageKind | undefined;
      readonly violations: readonly Violation[];
      /** The decoded JSON, when it decoded (for flow_id extraction and reports). */
      readonly value: unknown;
    };

export interface ValidateOptions {
  /** The channel the message arrived on: it decides the expected kind. */
  readonly channel?: string;
}

// Ajv compiles each schema to JavaScript once: the same JSON Schema we publish is what we run.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
const validators = new Map<MessageKind, ValidateFunction>(
  MESSAGE_KINDS.map((k) => [k, ajv.compile(MESSAGE_SPECS[k].schema)]),
);
const validatorFor = (kind: MessageKind): ValidateFunction => validators.get(kind)!;

const EVENT_TYPE_KINDS = new Set<string>([
  'pattern_detected',
  'backtest_progress',
  'backtest_result',
  'health_status',
]);
const ERROR_FIELDS = ['error_id', 'error_type', 'error_message', 'severity'];
const PATTERN_FIELDS = ['symbol', 'pattern', 'pattern_name', 'confidence', 'flow_id'];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** What a message says it is: by event_type, else by the fields it carries. */
export function detectKind(value: Record<string, unknown>): MessageKind | undefined {
  const type = value['event_type'];
  if (typeof type === 'string' && EVENT_TYPE_KINDS.has(type)) return type as MessageKind;
  if (ERROR_FIELDS.some((f) => f in value)) return 'error';
  const data = value['data'];
  if (PATTERN_FIELDS.some((f) => f in value || (isRecord(data) && f in data))) return 'pattern_detected';
  return undefined;
}

const rejected = (kind: MessageKind | undefined, value: unknown, ...violations: Violation[]): Verdict => ({
  ok: false,
  kind,
  violations,
  value,
});

function unknownChannel(channel: string): Violation {
  const near = nearestName(channel, ALL_CHANNELS);
  return {
    code: 'UNKNOWN_CHANNEL',
    path: '$',
    expected: `one of the contract's channels: ${ALL_CHANNELS.join(', ')}`,
    found: `channel ${JSON.stringify(channel)}`,
    hint: near === undefined ? undefined : `Did you mean ${near}?`,
  };
}

function schemaViolations(kind: MessageKind, validate: ValidateFunction, value: unknown): Violation[] {
  return fromAjvErrors(validate.errors ?? [])
    .map((v) => ({
      code: v.code,
      path: jsonPath(v.segments),
      expected: v.expected,
      found: v.found,
      hint: hintFor(v, value),
    }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Checks one raw message against the contract. Bytes or text in; a verdict out, never an exception:
 * ok with the typed message and notes, or every violation with its JSON path, expectation, finding and fix.
 */
export function validateMessage(input: string | Uint8Array, options: ValidateOptions = {}): Verdict {
  const { channel } = options;
  if (channel !== undefined && !isChannelName(channel))
    return rejected(undefined, undefined, unknownChannel(channel));
  const decoded = decodeRaw(input);
  if (!decoded.ok)
    return rejected(
      channel === undefined ? undefined : kindOfChannel(channel),
      decoded.value,
      decoded.violation,
    );
  const value = decoded.value;
  const claimed = detectKind(value);
  const kind = channel === undefined ? claimed : kindOfChannel(channel);
  if (kind === undefined)
    return rejected(undefined, value, {
      code: 'UNKNOWN_MESSAGE',
      path: '$.event_type',
      expected: `event_type one of ${[...EVENT_TYPE_KINDS].join(', ')}, or an error message (error_id, severity, ...)`,
      found: `event_type ${JSON.stringify(value['event_type']) ?? 'missing'}`,
    });
  const validate = validatorFor(kind);
  if (validate(value)) {
    const notes = unknownFieldNotes(MESSAGE_SPECS[kind].schema, value);
    // Ajv has just proved `value` is the schema's static type for `kind`.
    return { ok: true, kind, message: value, notes } as unknown as Verdict;
  }
  if (claimed !== undefined && claimed !== kind && validatorFor(claimed)(value))
    return rejected(kind, value, {
      code: 'WRONG_CHANNEL',
      path: '$',
      expected: `${kind} messages only, on ${channel ?? ''}`,
      found: `a valid ${claimed} message`,
      hint: `Publish ${claimed} messages on ${MESSAGE_SPECS[claimed].channel}.`,
    });
  return rejected(kind, value, ...schemaViolations(kind, validate, value));
}

const UUID = new RegExp(UUID_PATTERN);

/** The flow_id of a message that may be invalid otherwise (data.flow_id, or a misplaced top-level one). */
export function extractFlowId(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const data = value['data'];
  const candidate = isRecord(data) ? data['flow_id'] : value['flow_id'];
  return typeof candidate === 'string' && UUID.test(candidate) ? candidate.toLowerCase() : undefined;
}
