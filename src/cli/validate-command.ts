import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { validateMessage, type Verdict } from '../contract/validate.ts';
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

function violationLines(verdict: Verdict & { ok: false }): string[] {
  return verdict.violations.flatMap((v) => [
    `    ${v.path} [${v.code}] expected ${v.expected}; found ${v.found}`,
    ...(v.hint ? [`      fix: ${v.hint}`] : []),
  ]);
}

const failureTitle = (verdict: Verdict & { ok: false }) =>
  `${plural(verdict.violations.length, 'violation')}${verdict.kind ? ` (checked as ${verdict.kind})` : ''}`;

function human(message: Message, verdict: Verdict): string[] {
  if (verdict.ok)
    return [
      `✓ ${message.label}: valid ${verdict.kind}`,
      ...verdict.notes.map((n) => `    note ${n.path}: ${n.note}`),
    ];
  return [`✗ ${message.label}: ${failureTitle(verdict)}`, ...violationLines(verdict)];
}

interface Checked {
  readonly file: string;
  readonly channel: string | undefined;
  readonly message: Message;
  readonly verdict: Verdict;
}

function machine({ file, channel, message, verdict }: Checked): string {
  const common = { type: 'verdict', file, message: message.label, channel: channel ?? null };
  return JSON.stringify(
    verdict.ok
      ? { ...common, ok: true, kind: verdict.kind, notes: verdict.notes }
      : { ...common, ok: false, kind: verdict.kind ?? null, violations: verdict.violations },
  );
}

// Grouped by directory in CI's test views: the class is where the file is, the case the file (or line).
const junitCase = ({ file, message, verdict }: Checked): JUnitCase => ({
  classname: file === 'stdin' ? file : dirname(file),
  name: basename(message.label),
  ...(verdict.ok
    ? {}
    : {
        failure: {
          message: failureTitle(verdict),
          type: verdict.violations[0]?.code ?? 'INVALID',
          detail: violationLines(verdict).join('\n'),
        },
      }),
});

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

async function writeJUnit(path: string, checked: readonly Checked[]): Promise<void> {
  const xml = junitXml('tickstock validate', [{ name: 'contract', cases: checked.map(junitCase) }]);
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
 * `tickstock validate [paths...]`: a verdict per message of every file, then a summary; resolves to
 * the exit code (0 all valid, 1 any violation). Unreadable paths throw (exit 2).
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
      const item = { file: name, channel, message, verdict: validateMessage(message.bytes, { channel }) };
      checked.push(item);
      if (options.json) io.write(machine(item));
      else for (const line of human(message, item.verdict)) io.write(line);
    }
  }
  const failed = checked.filter((c) => !c.verdict.ok).length;
  const summary = { files: files.length, messages: checked.length, passed: checked.length - failed, failed };
  io.write(
    options.json
      ? JSON.stringify({ type: 'summary', ...summary })
      : `${plural(summary.messages, 'message')}${files.length > 1 ? ` in ${files.length} files` : ''}: ${summary.passed} passed, ${failed} failed`,
  );
  if (options.junit !== undefined) await writeJUnit(options.junit, checked);
  return failed === 0 ? ExitCode.ok : ExitCode.problems;
}
