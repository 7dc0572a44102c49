import { readFile } from 'node:fs/promises';
import { validateMessage, type Verdict } from '../contract/validate.ts';
import { HarnessError } from '../errors/harness-error.ts';

export interface ValidateCommandOptions {
  readonly channel?: string;
  readonly json: boolean;
  /** Force JSON lines (true) or one message (false); by default the input decides. */
  readonly lines?: boolean;
}

export interface ValidateIo {
  readStdin(): Promise<Buffer>;
  write(line: string): void;
}

export interface Message {
  readonly label: string;
  readonly bytes: Buffer;
}

function splitLines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i += 1) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      out.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return out;
}

/**
 * One message, or JSON lines: lines are assumed when there are several non-empty lines and the
 * first of them is a JSON value by itself (a pretty-printed object's first line, "{", is not).
 */
export function splitMessages(bytes: Buffer, name: string, lines: boolean | undefined): Message[] {
  const numbered = splitLines(bytes)
    .map((b, i) => ({ label: `${name}:${i + 1}`, bytes: b }))
    .filter((m) => m.bytes.toString('utf8').trim() !== '');
  const firstIsJson = (() => {
    try {
      JSON.parse(numbered[0]?.bytes.toString('utf8') ?? '');
      return true;
    } catch {
      return false;
    }
  })();
  const asLines = lines ?? (numbered.length > 1 && firstIsJson);
  return asLines ? numbered : [{ label: name, bytes }];
}

function human(message: Message, verdict: Verdict): string[] {
  if (verdict.ok)
    return [
      `✓ ${message.label}: valid ${verdict.kind}`,
      ...verdict.notes.map((n) => `    note ${n.path}: ${n.note}`),
    ];
  const head = `✗ ${message.label}: ${verdict.violations.length} violation${verdict.violations.length === 1 ? '' : 's'}${verdict.kind ? ` (checked as ${verdict.kind})` : ''}`;
  return [
    head,
    ...verdict.violations.flatMap((v) => [
      `    ${v.path} [${v.code}] expected ${v.expected}; found ${v.found}`,
      ...(v.hint ? [`      fix: ${v.hint}`] : []),
    ]),
  ];
}

function machine(message: Message, verdict: Verdict): string {
  const { label } = message;
  return JSON.stringify(
    verdict.ok
      ? { message: label, ok: true, kind: verdict.kind, notes: verdict.notes }
      : { message: label, ok: false, kind: verdict.kind ?? null, violations: verdict.violations },
  );
}

async function readInput(source: string, io: ValidateIo): Promise<Buffer> {
  if (source === '-') return io.readStdin();
  try {
    return await readFile(source);
  } catch (error) {
    throw new HarnessError(
      'CLI_INPUT_UNREADABLE',
      `Cannot read ${source}: ${(error as Error).message}`,
      'Give a readable file, or - for standard input.',
      { cause: error },
    );
  }
}

/** `tickstock validate`: prints a verdict per message; resolves to the exit code (0 all valid, 1 any violation). */
export async function validateCommand(
  source: string,
  options: ValidateCommandOptions,
  io: ValidateIo,
): Promise<number> {
  const bytes = await readInput(source, io);
  const messages = splitMessages(bytes, source === '-' ? 'stdin' : source, options.lines);
  let invalid = 0;
  for (const message of messages) {
    const verdict = validateMessage(
      message.bytes,
      options.channel === undefined ? {} : { channel: options.channel },
    );
    if (!verdict.ok) invalid += 1;
    if (options.json) io.write(machine(message, verdict));
    else for (const line of human(message, verdict)) io.write(line);
  }
  if (!options.json)
    io.write(
      `${messages.length} message${messages.length === 1 ? '' : 's'}: ${messages.length - invalid} valid, ${invalid} invalid`,
    );
  return invalid === 0 ? 0 : 1;
}
