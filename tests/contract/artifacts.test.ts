import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { ALL_CHANNELS } from '../../src/contract/channels.ts';
import { contractArtifacts } from '../../src/contract/artifacts.ts';
import { packageVersion } from '../../src/cli/contract-export-command.ts';
import { PACKAGE_ROOT } from '../../src/shared/package-root.ts';
import { validFixtures } from '../support/fixtures.ts';

const files = contractArtifacts(await packageVersion());

describe('published contract artefacts', () => {
  test.each([...files.keys()])(
    '%s is committed and current (else: npm run contract:export)',
    async (path) => {
      const committed = await readFile(join(PACKAGE_ROOT, path), 'utf8').catch(() => '<missing>');
      expect(committed, `${path} is stale: run npm run contract:export and commit it`).toBe(files.get(path));
    },
  );

  test('the AsyncAPI document is version 3 and names every channel of the contract', () => {
    const doc = JSON.parse(files.get('contract/asyncapi.json')!) as {
      asyncapi: string;
      channels: Record<string, { address: string }>;
    };
    expect(doc.asyncapi).toBe('3.0.0');
    expect(
      Object.values(doc.channels)
        .map((c) => c.address)
        .sort(),
    ).toEqual([...ALL_CHANNELS].sort());
  });

  test('the published JSON Schema accepts the valid fixtures in any standard validator', () => {
    const pattern = JSON.parse(files.get('contract/schemas/pattern-event.schema.json')!) as object;
    const check = new Ajv({ strict: false }).compile(pattern);
    const patterns = validFixtures().filter((f) => f.channel === 'tickstock.events.patterns');
    expect(patterns.length).toBeGreaterThan(3);
    for (const f of patterns) expect(check(JSON.parse(f.bytes.toString('utf8'))), f.file).toBe(true);
  });
});
