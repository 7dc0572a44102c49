// Whether dist/cli (the CLI compiled by scripts/build-cli.ts) was built from the sources as they are.
// Plain JavaScript without dependencies: it decides, before anything is loaded, what bin/tickstock.js runs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const STAMP = 'dist/cli/stamp.json';

/** The newest modification time (ms) of every file under src/, package.json and the build script. */
export function newestSource(root = ROOT) {
  const files = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
  const inputs = [join(root, 'package.json'), join(root, 'scripts/build-cli.ts'), ...files];
  return Math.max(...inputs.map((f) => statSync(f).mtimeMs));
}

export function bundleIsCurrent(root = ROOT) {
  try {
    const stamp = JSON.parse(readFileSync(join(root, STAMP), 'utf8'));
    return newestSource(root) <= stamp.sourceMtimeMs;
  } catch {
    return false;
  }
}
