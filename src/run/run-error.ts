import { HarnessError } from '../errors/harness-error.ts';

/** A run that cannot start as asked: a bad threshold, scenario key or flag (exit 2). */
export class RunUsageError extends HarnessError {}
