/*
 * Compiles the CLI into dist/cli (one ES module per command, dependencies left to node_modules), and
 * stamps it with the newest source time it was built from: bin/tickstock.js runs it only while no
 * source is newer. Run by `npm ci` (prepare) and before each test run (tests/support/build-cli-setup.ts).
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { bundleIsCurrent, newestSource, ROOT, STAMP } from '../bin/cli-bundle.js';

/** Compiles unless the bundle is current; `force` compiles anyway. */
export async function buildCli(options: { readonly force?: boolean } = {}): Promise<void> {
  if (!options.force && bundleIsCurrent()) return;
  // Read before compiling: a source saved during the build makes the bundle stale, never current.
  const sourceMtimeMs = newestSource();
  // Compiled beside, then swapped in: a CLI started meanwhile finds the old bundle or the new one.
  const outdir = join(ROOT, 'dist/cli');
  const next = `${outdir}.next-${process.pid}`;
  const old = `${outdir}.old-${process.pid}`;
  await build({
    entryPoints: [join(ROOT, 'src/cli/main.ts')],
    outdir: next,
    bundle: true,
    splitting: true, // commands stay lazily loaded: `--version` loads no driver
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  await writeFile(join(next, basename(STAMP)), JSON.stringify({ sourceMtimeMs }));
  await rename(outdir, old).catch(() => undefined);
  await rename(next, outdir);
  await rm(old, { recursive: true, force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildCli({ force: true });
