#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, from any working directory.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
