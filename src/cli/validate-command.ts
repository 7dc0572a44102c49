import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { SPEC_PROFILE, type ConsumerProfile } from '../contract/consumer-profiles.ts';
import { validateForProfile, type ProfileVerdict, type Rejection } from '../contract/validate.ts';
import type { Violation } from '../contract/violations.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { junitXml, type JUnitCase } from '../shared/junit-xml.ts';

export interface ValidateCommandOptions {
  readonly channel?: string;
  /** Each file's channel is the name of its directory, as in fixtures/events/<channel>/ (`no-channel`: none). */
  readonly channelFromDir?: boolean;
  readonly json: boolean;
  /** Force JSON lines (true) or one message (false); by default the input decides. */
  readonly lines?: boolean;
  /** Also write a JUnit XML report to this path. */
  readonly junit?: string;
  /**
   * The consumers to judge each message for (--profile, repeatable, or `all`), their verdicts side by
   * side; none given: the spec's verdict alone, printed as it always was.
   */
  readonly profile?: readonly ConsumerProfile[];
}

export interface ValidateIo {
  readStdin(): Promise<Buffer>;
  write(line: string): void;
}

export interface Message {
  readonly label: string;
  readonly bytes: Buffer;
}

const STDIN = '-';
const NO_CHANNEL_DIR = 'no-channel';

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

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One violation as the human output says it. */
export const violationText = (v: Violation): string =>
  `${v.path} [${v.code}] expected ${v.expected}; found ${v.found}`;

function violationLines(verdict: Rejection, prefix = ''): string[] {
  return verdict.violations.flatMap((v) => [
    `    ${prefix}${violationText(v)}`,
    ...(v.hint ? [`      fix: ${v.hint}`] : []),
  ]);
}

const failureTitle = (verdict: Rejection) =>
  `${plural(verdict.violations.length, 'violation')}${verdict.kind ? ` (checked as ${verdict.kind})` : ''}`;

const title = (verdict: ProfileVerdict) => (verdict.ok ? `valid ${verdict.kind}` : failureTitle(verdict));
const mark = (ok: boolean) => (ok ? '✓' : '✗');

/** A profile's verdict on one message. */
interface Judged {
  readonly profile: string;
  readonly verdict: ProfileVerdict;
}

interface Checked {
  readonly file: string;
  readonly channel: string | undefined;
  readonly message: Message;
  readonly judged: readonly Judged[];
  readonly ok: boolean;
}

/** `✓ label: valid kind`; labelled by profile: `✗ label: spec ✓ valid error · tickstockappv2 ✗ 2 violations`. */
function human({ message, judged, ok }: Checked, labelled: boolean): string[] {
  const head = judged
    .map(({ profile, verdict }) =>
      labelled ? `${profile} ${mark(verdict.ok)} ${title(verdict)}` : title(verdict),
    )
    .join(' · ');
  const details = judged.flatMap(({ profile, verdict }) => {
    const prefix = labelled ? `${profile}: ` : '';
    return verdict.ok
      ? verdict.notes.map((n) => `    ${prefix}note ${n.path}: ${n.note}`)
      : violationLines(verdict, prefix);
  });
  return [`${mark(ok)} ${message.label}: ${head}`, ...details];
}

const verdictRecord = (verdict: ProfileVerdict) =>
  verdict.ok
    ? { ok: true, kind: verdict.kind, notes: verdict.notes }
    : { ok: false, kind: verdict.kind ?? null, violations: verdict.violations };

/** One record a message; labelled by profile, its verdicts side by side under `verdicts`. */
function machine({ file, channel, message, judged, ok }: Checked, labelled: boolean): string {
  const common = { type: 'verdict', file, message: message.label, channel: channel ?? null };
  return JSON.stringify(
    labelled
      ? {
          ...common,
          ok,
          verdicts: Object.fromEntries(judged.map((j) => [j.profile, verdictRecord(j.verdict)])),
        }
      : { ...common, ...verdictRecord(judged[0]!.verdict) },
  );
}

// Grouped by directory in CI's test views: the class is where the file is, the case the file (or line),
// one a profile when labelled.
const junitCases = ({ file, message, judged }: Checked, labelled: boolean): JUnitCase[] =>
  judged.map(({ profile, verdict }) => ({
    classname: file === 'stdin' ? file : dirname(file),
    name: labelled ? `${basename(message.label)} [${profile}]` : basename(message.label),
    ...(verdict.ok
      ? {}
      : {
          failure: {
            message: failureTitle(verdict),
            type: verdict.violations[0]?.code ?? 'INVALID',
            detail: violationLines(verdict).join('\n'),
          },
        }),
  }));

const unreadable = (path: string, error: unknown) =>
  new HarnessError(
    'CLI_INPUT_UNREADABLE',
    `Cannot read ${path}: ${(error as Error).message}`,
    'Give readable files or directories, or - for standard input.',
    { cause: error },
  );

/** Files named, and every file under the directories named (hidden ones skipped), in a stable order. */
async function inputFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if (path === STDIN) {
      files.push(STDIN);
      continue;
    }
    const info = await stat(path).catch((error: unknown) => {
      throw unreadable(path, error);
    });
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const found = (await readdir(path, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name))
      .filter(
        (f) =>
          !relative(path, f)
            .split('/')
            .some((part) => part.startsWith('.')),
      )
      .sort();
    if (found.length === 0)
      throw new HarnessError(
        'CLI_INPUT_EMPTY',
        `${path} holds no files to validate.`,
        'Give a directory of messages (one per file, or JSON lines), or the files themselves.',
      );
    files.push(...found);
  }
  return files;
}

function channelOf(file: string, options: ValidateCommandOptions): string | undefined {
  if (!options.channelFromDir || file === STDIN) return options.channel;
  const dir = basename(dirname(file));
  return dir === NO_CHANNEL_DIR ? undefined : dir;
}

async function writeJUnit(path: string, checked: readonly Checked[], labelled: boolean): Promise<void> {
  const cases = checked.flatMap((c) => junitCases(c, labelled));
  const xml = junitXml('tickstock validate', [{ name: 'contract', cases }]);
  await writeFile(path, xml).catch((error: unknown) => {
    throw new HarnessError(
      'CLI_OUTPUT_UNWRITABLE',
      `Cannot write ${path}: ${(error as Error).message}`,
      'Give --junit a path in a writable directory.',
      { cause: error },
    );
  });
}

/**
 * The summary: messages that passed (every verdict ok) and failed; when labelled (`profiles`), the
 * counts of each profile beside them.
 */
function summaryLine(
  checked: readonly Checked[],
  files: number,
  json: boolean,
  profiles: readonly string[] | undefined,
): string {
  const count = (ok: (c: Checked) => boolean) => {
    const passed = checked.filter(ok).length;
    return { passed, failed: checked.length - passed };
  };
  const all = count((c) => c.ok);
  const each = profiles?.map((p, i) => [p, count((c) => c.judged[i]!.verdict.ok)] as const);
  if (json)
    return JSON.stringify({
      type: 'summary',
      files,
      messages: checked.length,
      ...all,
      ...(each ? { by_profile: Object.fromEntries(each) } : {}),
    });
  const counts = (n: typeof all) => `${n.passed} passed, ${n.failed} failed`;
  const besides = each ? ` (${each.map(([p, n]) => `${p}: ${counts(n)}`).join('; ')})` : '';
  return `${plural(checked.length, 'message')}${files > 1 ? ` in ${files} files` : ''}: ${counts(all)}${besides}`;
}

/**
 * `tickstock validate [paths...]`: a verdict per message of every file (one per profile asked for),
 * then a summary; resolves to the exit code (0 all valid, 1 any violation for any profile).
 * Unreadable paths throw (exit 2).
 */
export async function validateCommand(
  paths: readonly string[],
  options: ValidateCommandOptions,
  io: ValidateIo,
): Promise<number> {
  if (options.channel !== undefined && options.channelFromDir)
    throw new HarnessError(
      'CLI_BAD_OPTION',
      '--channel and --channel-from-dir both say where the channel comes from.',
      'Give one of them.',
    );
  const labelled = options.profile !== undefined;
  const profiles = options.profile ?? [SPEC_PROFILE];
  const files = await inputFiles(paths.length === 0 ? [STDIN] : paths);
  const checked: Checked[] = [];
  for (const file of files) {
    const bytes =
      file === STDIN
        ? await io.readStdin()
        : await readFile(file).catch((e: unknown) => {
            throw unreadable(file, e);
          });
    const channel = channelOf(file, options);
    const name = file === STDIN ? 'stdin' : file;
    for (const message of splitMessages(bytes, name, options.lines)) {
      const judged = profiles.map((p) => ({
        profile: p.name,
        verdict: validateForProfile(message.bytes, p, { channel }),
      }));
      const item = { file: name, channel, message, judged, ok: judged.every((j) => j.verdict.ok) };
      checked.push(item);
      if (options.json) io.write(machine(item, labelled));
      else for (const line of human(item, labelled)) io.write(line);
    }
  }
  io.write(
    summaryLine(checked, files.length, options.json, labelled ? profiles.map((p) => p.name) : undefined),
  );
  if (options.junit !== undefined) await writeJUnit(options.junit, checked, labelled);
  return checked.every((c) => c.ok) ? ExitCode.ok : ExitCode.problems;
}
