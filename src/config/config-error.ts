import { HarnessError } from '../errors/harness-error.ts';

export interface ConfigIssue {
  readonly key: string;
  readonly value: string;
  readonly expected: string;
}

/** Every bad configuration key at once, so one run shows everything to fix. */
export class ConfigError extends HarnessError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  ${i.key}=${JSON.stringify(i.value)}: expected ${i.expected}`);
    super(
      'CONFIG_INVALID',
      `Invalid configuration (${issues.length} ${issues.length === 1 ? 'key' : 'keys'}):\n${lines.join('\n')}`,
      'Fix or unset the keys above; README.md lists every variable and its default.',
    );
    this.issues = issues;
  }
}
