import { afterAll } from 'vitest';
import { endLeftoverChildren } from './run-cli.ts';

// A setup file runs for every test file, so each file's hook ends what that file left running.
afterAll(endLeftoverChildren);
