import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { build } from 'esbuild';
import { PACKAGE_ROOT } from '../../src/shared/package-root.ts';
import { bundleIsCurrent, STAMP } from '../../bin/cli-bundle.js';

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

/** A package tree with sources at `sourceAt` (epoch ms) and, when given, a stamp saying `builtFrom`. */
async function tree(sourceAt: number, builtFrom?: number): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cli-bundle-'));
  roots.push(root);
  await mkdir(join(root, 'src/cli'), { recursive: true });
  await mkdir(join(root, 'scripts'));
  await mkdir(join(root, 'dist/cli'), { recursive: true });
  const files = ['package.json', 'scripts/build-cli.ts', 'src/cli/main.ts'];
  for (const f of files) {
    await writeFile(join(root, f), '');
    await utimes(join(root, f), sourceAt / 1000, sourceAt / 1000);
  }
  if (builtFrom !== undefined) await writeFile(join(root, STAMP), JSON.stringify({ sourceMtimeMs: builtFrom }));
  return root;
}

describe('bin/tickstock.js runs the compiled CLI only while it matches the sources', () => {
  const t = Date.UTC(2026, 0, 1);
  test('built from the newest source: current', async () => {
    expect(bundleIsCurrent(await tree(t, t))).toBe(true);
  });
  test('a source saved after the build: stale', async () => {
    const root = await tree(t, t);
    await utimes(join(root, 'src/cli/main.ts'), (t + 1000) / 1000, (t + 1000) / 1000);
    expect(bundleIsCurrent(root)).toBe(false);
  });
  test('never built, or an unreadable stamp: stale', async () => {
    expect(bundleIsCurrent(await tree(t))).toBe(false);
    const root = await tree(t);
    await writeFile(join(root, STAMP), '{');
    expect(bundleIsCurrent(root)).toBe(false);
  });
});

/** The packages a module loads before any of its code runs: its static imports, followed through our files. */
async function packagesLoadedBy(entry: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [join(PACKAGE_ROOT, entry)],
    absWorkingDir: PACKAGE_ROOT,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outdir: 'unused',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of metafile.inputs[file]!.imports) {
      if (i.kind !== 'import-statement') continue;
      if (!i.external) visit(i.path);
      else if (!i.path.startsWith('node:')) packages.add(i.path);
    }
  };
  visit(entry);
  return [...packages].sort();
}

describe('start-up loads what the command needs, no more', () => {
  // A usage error or --version took 0.45 s of CPU when configuration imported the consumer's defaults
  // with the consumer (ajv, ioredis, socket.io); 59 such calls in the suite.
  test('the CLI before a command runs: commander alone', async () => {
    expect(await packagesLoadedBy('src/cli/main.ts')).toEqual(['commander']);
  });
  test('run without browsers loads no browser driver', async () => {
    expect(await packagesLoadedBy('src/cli/run-command.ts')).not.toContain('playwright-core');
  });
});
