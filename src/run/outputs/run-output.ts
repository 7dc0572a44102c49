import type { RunReport } from '../run-report.ts';

/** Where a finished run goes (as k6's outputs): the end summary, a JSON file, a JUnit file. */
export interface RunOutput {
  readonly name: string;
  write(report: RunReport): Promise<void>;
}
