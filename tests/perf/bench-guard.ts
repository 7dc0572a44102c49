/*
 * The benches' regression guard. Each bench writes its figures, every run's value, to bench/NAME.json, a
 * file kept in git. Before writing, it reads the committed one (`git show HEAD:bench/NAME.json`) and says,
 * figure by figure, what got slower (or faster) by more than the run-to-run noise it measured: the wider
 * of the two spreads (max − min of the runs), now and then. Commit the new file to make it the baseline.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

/** One figure over the runs of a case; `higherIsBetter` for rates, else lower is (latencies). */
export interface BenchFigure {
  readonly runs: readonly number[];
  readonly unit: 'ms' | '/s' | 'ratio';
  readonly higherIsBetter?: boolean;
}

interface BenchFile {
  readonly bench: string;
  readonly setting: string;
  readonly when: string;
  readonly figures: Readonly<Record<string, BenchFigure>>;
}

export type Verdict = 'slower' | 'faster' | 'within noise' | 'new';

export interface Comparison {
  readonly figure: string;
  readonly then: number | null;
  readonly now: number;
  readonly noise: number;
  readonly verdict: Verdict;
}

/** The middle value; the mean of the two middle ones for an even count. */
export const median = (values: readonly number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const spread = (values: readonly number[]): number => Math.max(...values) - Math.min(...values);

/** Each figure now against then: worse by more than the noise is `slower`. */
export function compareFigures(
  then: Readonly<Record<string, BenchFigure>>,
  now: Readonly<Record<string, BenchFigure>>,
): Comparison[] {
  return Object.entries(now).map(([figure, f]) => {
    const before = then[figure];
    const value = median(f.runs);
    if (before === undefined || before.runs.length === 0)
      return { figure, then: null, now: value, noise: spread(f.runs), verdict: 'new' };
    const was = median(before.runs);
    const noise = Math.max(spread(f.runs), spread(before.runs));
    const worse = f.higherIsBetter ? was - value : value - was;
    const verdict: Verdict = worse > noise ? 'slower' : -worse > noise ? 'faster' : 'within noise';
    return { figure, then: was, now: value, noise, verdict };
  });
}

async function committed(path: string): Promise<BenchFile | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['show', `HEAD:${path}`], { maxBuffer: 1 << 24 });
    return JSON.parse(stdout) as BenchFile;
  } catch {
    return undefined; // no git, or never committed: every figure is new
  }
}

const show = (v: number, unit: BenchFigure['unit']): string =>
  unit === 'ratio' ? v.toFixed(4) : unit === '/s' ? `${Math.round(v)}/s` : `${v.toFixed(2)} ms`;

/** Compares with the committed bench/NAME.json, prints the verdicts, writes the new one; the comparisons. */
export async function guardBench(
  name: string,
  setting: string,
  figures: Readonly<Record<string, BenchFigure>>,
): Promise<Comparison[]> {
  const path = `bench/${name}.json`;
  const before = await committed(path);
  const comparisons = compareFigures(before?.figures ?? {}, figures);
  console.log(
    `\nagainst the committed ${path}${before === undefined ? ' (none yet: every figure is new)' : ` (${before.when}, ${before.setting})`}:`,
  );
  for (const c of comparisons) {
    const unit = figures[c.figure]!.unit;
    const was = c.then === null ? '–' : show(c.then, unit);
    console.log(
      `  ${c.verdict === 'slower' ? '✗' : c.verdict === 'faster' ? '↑' : ' '} ${c.figure.padEnd(28)} ${was.padStart(11)} → ${show(c.now, unit).padStart(11)}  (noise ±${show(c.noise, unit)}): ${c.verdict}`,
    );
  }
  const slower = comparisons.filter((c) => c.verdict === 'slower');
  console.log(
    slower.length === 0
      ? '  nothing slower than the noise measured'
      : `  ${slower.length} slower: ${slower.map((c) => c.figure).join(', ')}`,
  );
  await mkdir('bench', { recursive: true });
  const file: BenchFile = { bench: name, setting, when: new Date().toISOString(), figures };
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`  wrote ${path}: commit it to make these figures the baseline`);
  return comparisons;
}
