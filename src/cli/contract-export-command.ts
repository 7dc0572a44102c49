import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { contractArtifacts } from '../contract/artifacts.ts';
import { PACKAGE_ROOT } from '../shared/package-root.ts';

export async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Writes the JSON Schemas and the AsyncAPI document generated from src/contract. */
export async function contractExportCommand(): Promise<void> {
  const files = contractArtifacts(await packageVersion());
  for (const [path, content] of files) {
    const target = join(PACKAGE_ROOT, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  console.log(`wrote ${files.size} files under contract/`);
}
