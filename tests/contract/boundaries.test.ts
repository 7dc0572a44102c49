import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, test } from 'vitest';
import { PACKAGE_ROOT } from '../../src/shared/package-root.ts';

// The project's own eslint.config.js, only its layer rules, which need no type information: without the
// type-aware parser's program the file lints in a fraction of the time. Each probe is linted as the text of
// a file that exists, standing where the import would be written.
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({
    cwd: PACKAGE_ROOT,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === 'boundaries/dependencies' || ruleId === 'import-x/no-cycle',
  });
});

async function problems(asFile: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(PACKAGE_ROOT, asFile) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe('the layer lint', () => {
  test('an import up the floors fails with the boundary rule, naming both folders', async () => {
    const found = await problems(
      'src/shared/clock.ts',
      "import { requireUrl } from '../cli/cli-urls.ts';\nexport const probe = requireUrl;\n",
    );
    expect(found).toEqual([expect.stringMatching(/^boundaries\/dependencies: shared may not import cli\b/)]);
  });

  test('the simulator and the consumer never import each other', async () => {
    const simToConsumer = await problems(
      'src/sim/scenarios.ts',
      "import { ConsumerStats } from '../consumer/consumer-stats.ts';\nexport const probe = ConsumerStats;\n",
    );
    const consumerToSim = await problems(
      'src/consumer/consumer-stats.ts',
      "import { SCENARIO_KINDS } from '../sim/scenarios.ts';\nexport const probe = SCENARIO_KINDS;\n",
    );
    expect(simToConsumer).toEqual([expect.stringMatching(/sim may not import consumer/)]);
    expect(consumerToSim).toEqual([expect.stringMatching(/consumer may not import sim/)]);
  });

  test('a circle inside one folder fails with no-cycle', async () => {
    // json-api.ts imports api-params.ts: api-params importing json-api back closes a circle.
    const found = await problems(
      'src/consumer/api-params.ts',
      "import { jsonApi } from './json-api.ts';\nexport const probe = jsonApi;\n",
    );
    expect(found).toEqual([expect.stringMatching(/^import-x\/no-cycle: /)]);
  });

  test('imports down the floors and inside a folder pass', async () => {
    const found = await problems(
      'src/consumer/consumer-stats.ts',
      [
        "import { CHANNELS } from '../contract/channels.ts';",
        "import { systemClock } from '../shared/clock.ts';",
        "import { consumerCheckpoint } from './checkpoint-factory.ts';",
        'export const probe = [CHANNELS, systemClock, consumerCheckpoint];',
        '',
      ].join('\n'),
    );
    expect(found).toEqual([]);
  });
});
