#!/usr/bin/env node
// The CLI compiled by scripts/build-cli.ts (npm ci builds it) when it matches the sources; otherwise
// the TypeScript sources through tsx's loader, which starts about twice as slowly.
import { bundleIsCurrent } from './cli-bundle.js';

if (bundleIsCurrent()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
