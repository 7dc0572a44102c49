import { writeFile } from 'node:fs/promises';
import type { RunOutput } from './run-output.ts';

export const jsonOutput = (path: string): RunOutput => ({
  name: `json=${path}`,
  write: (report) => writeFile(path, `${JSON.stringify(report, null, 2)}\n`),
});
