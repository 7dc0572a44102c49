import type { TObject } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { ALL_CHANNELS, isChannelName } from './channels.ts';
import { fromAjvErrors } from './ajv-violations.ts';
import { SPEC_PROFILE, type ConsumerProfile } from './consumer-profiles.ts';
import { hintFor } from './hints.ts';
import { errorTelltales, profileSchema } from './message-shapes.ts';
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

export interface Rejection {
  readonly ok: false;
  /** The kind it was checked as, when one could be told. */
  readonly kind: MessageKind | undefined;
  readonly violations: readonly Violation[];
  /** The decoded JSON, when it decoded (for flow_id extraction and reports). */
  readonly value: unknown;
}

export type Verdict = (ContractMessage & { readonly ok: true; readonly notes: readonly Note[] }) | Rejection;

/** One consumer profile's verdict: valid for that consumer (its message type is its own), or rejected. */
export type ProfileVerdict =
  | { readonly ok: true; readonly kind: MessageKind; readonly message: unknown; readonly notes: readonly Note[] }
  | Rejection;

export interface ValidateOptions {
  /** The channel the message arrived on: it decides the expected kind. */
  readonly channel?: string;
}

// Ajv compiles each schema to JavaScript once: the same JSON Schema we publish is what we run.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
const compiled = new Map<TObject, ValidateFunction>();
function compile(schema: TObject): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) compiled.set(schema, (validate = ajv.compile(schema)));
  return validate;
}

/** What a profile checks with: per kind, its schema compiled, and the fields that mark an error. */
interface ProfileCheck {
  readonly schemas: ReadonlyMap<MessageKind, { readonly schema: TObject; readonly validate: ValidateFunction }>;
  readonly errorFields: readonly string[];
}
const checks = new WeakMap<ConsumerProfile, ProfileCheck>();
function checkFor(profile: ConsumerProfile): ProfileCheck {
  let check = checks.get(profile);
  if (check === undefined) {
    const schemas = new Map(
      MESSAGE_KINDS.map((k) => {
        const schema = profileSchema(profile, k);
        return [k, { schema, validate: compile(schema) }] as const;
      }),
    );
    checks.set(profile, (check = { schemas, errorFields: errorTelltales(profile) }));
  }
  return check;
}

const EVENT_TYPE_KINDS = new Set<string>([
  'pattern_detected',
  'backtest_progress',
  'backtest_result',
  'health_status',
]);
const PATTERN_FIELDS = ['symbol', 'pattern', 'pattern_name', 'confidence', 'flow_id'];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * What a message says it is: by event_type, else by the fields it carries (`errorFields`: those
 * that mark an error message for the profile it is checked for).
 */
export function detectKind(
  value: Record<string, unknown>,
  errorFields: readonly string[] = checkFor(SPEC_PROFILE).errorFields,
): MessageKind | undefined {
  const type = value['event_type'];
  if (typeof type === 'string' && EVENT_TYPE_KINDS.has(type)) return type as MessageKind;
  if (errorFields.some((f) => f in value)) return 'error';
  const data = value['data'];
  if (PATTERN_FIELDS.some((f) => f in value || (isRecord(data) && f in data))) return 'pattern_detected';
  return undefined;
}

const rejected = (kind: MessageKind | undefined, value: unknown, ...violations: Violation[]): Rejection => ({
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
  // With the spec's schemas, Ajv has proved a valid message is the static type of its kind.
  return judge(input, options, checkFor(SPEC_PROFILE)) as Verdict;
}

/**
 * Checks one raw message as the consumer of a profile would: against the shapes that consumer
 * accepts (`tickstockappv2`: errors with source and message, backtest fields at the top level).
 */
export function validateForProfile(
  input: string | Uint8Array,
  profile: ConsumerProfile,
  options: ValidateOptions = {},
): ProfileVerdict {
  return judge(input, options, checkFor(profile));
}

function judge(input: string | Uint8Array, options: ValidateOptions, check: ProfileCheck): ProfileVerdict {
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
  const claimed = detectKind(value, check.errorFields);
  const kind = channel === undefined ? claimed : kindOfChannel(channel);
  if (kind === undefined)
    return rejected(undefined, value, {
      code: 'UNKNOWN_MESSAGE',
      path: '$.event_type',
      expected: `event_type one of ${[...EVENT_TYPE_KINDS].join(', ')}, or an error message (error_id, severity, ...)`,
      found: `event_type ${JSON.stringify(value['event_type']) ?? 'missing'}`,
    });
  const { schema, validate } = check.schemas.get(kind)!;
  if (validate(value)) return { ok: true, kind, message: value, notes: unknownFieldNotes(schema, value) };
  if (claimed !== undefined && claimed !== kind && check.schemas.get(claimed)!.validate(value))
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
