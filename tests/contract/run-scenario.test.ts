import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { overlayScenario, resolvePlan } from '../../src/run/run-plan.ts';
import { parseScenarioFile, parseStageFlag } from '../../src/run/scenario-file.ts';
import { scenarioRateAt, schedule } from '../../src/sim/scenarios.ts';
import { errorOf } from '../support/thrown.ts';

describe('run scenario files', () => {
  test('every scenario shipped in scenarios/ parses and resolves', async () => {
    const files = (await readdir('scenarios')).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const plan = resolvePlan(parseScenarioFile(await readFile(join('scenarios', file), 'utf8'), file));
      expect(plan.stages.length, file).toBeGreaterThan(0);
    }
  });

  test('each mistake is reported with its line, column, key and the nearest known key, all at once', () => {
    const path = 'fixtures/scenarios/typo.yaml';
    const e = errorOf(() => parseScenarioFile(readFileSync(path, 'utf8'), path));
    expect(e.code).toBe('RUN_SCENARIO');
    const lines = e.message.split('\n').slice(1, 4);
    expect(lines[0]).toMatch(/typo\.yaml:4:3: load\.rte: unknown key 'rte' \(did you mean 'rate'\?\)/);
    expect(lines[1]).toMatch(/typo\.yaml:6:\d+: load\.stages\[0\]\.rate: must be > 0/);
    expect(lines[2]).toMatch(/typo\.yaml:7:1: client: unknown key 'client' \(did you mean 'clients'\?\)/);
  });

  test('broken YAML is reported with its line', () => {
    const e = errorOf(() => parseScenarioFile('load:\n  rate: [1,\n', 'x.yaml'));
    expect(e.message).toMatch(/x\.yaml:\d+:\d+: /);
  });

  test('--stage is checked by the same schema as a file stage', () => {
    expect(parseStageFlag('ramp,from=10,rate=1000,seconds=30')).toEqual({
      kind: 'ramp',
      from: 10,
      rate: 1000,
      seconds: 30,
    });
    expect(errorOf(() => parseStageFlag('ramp,rate=10,secnds=5')).message).toMatch(
      /unknown key 'secnds' \(did you mean 'seconds'\?\)/,
    );
    expect(errorOf(() => parseStageFlag('steady,rate')).code).toBe('RUN_STAGE');
  });

  test('flags win over the file: a load shape on the command line replaces the file stages', () => {
    const file = parseScenarioFile(
      'load: {seed: 4, stages: [{kind: steady, rate: 5, seconds: 2}]}\nclients: {socketio: 7, workers: 2}\nthresholds: [lost == 0]\n',
      'f.yaml',
    );
    const plan = resolvePlan(overlayScenario(file, { load: { rate: 50 }, clients: { socketio: 3 } }));
    expect(plan.stages).toMatchObject([{ kind: 'steady', rate: 50, seconds: 10 }]);
    expect(plan).toMatchObject({ seed: 4, clients: 3, workers: 2 });
    expect(plan.thresholds.map((t) => t.expr)).toEqual(['lost == 0']);
  });

  test('stages run one after another; a ramp starts at the previous stage rate', () => {
    const plan = resolvePlan({
      load: {
        stages: [
          { kind: 'steady', rate: 10, seconds: 2 },
          { kind: 'ramp', rate: 30, seconds: 2 },
          { kind: 'burst', rate: 5, burst_rate: 100, burst_seconds: 1, burst_every: 2, seconds: 4 },
        ],
      },
    });
    expect(plan.seconds).toBe(8);
    const rates = [0, 1999, 2000, 3000, 4000, 4999, 5000].map((t) => scenarioRateAt(plan.stages, t));
    expect(rates).toEqual([10, 10, 10, 20, 100, 100, 5]);
    // The schedule follows: 20 events in the steady 2 s, then the ramp's.
    const offsets = schedule(plan.stages);
    const first = Array.from({ length: 21 }, () => offsets.next().value as number);
    expect(first[20]).toBeCloseTo(2000, 6);
  });

  test('a profile written in the file extends a known one', () => {
    const plan = resolvePlan(
      parseScenarioFile(
        'profile: mine\nprofiles:\n  mine:\n    extends: tickstockappv2\n    patterns: {event: alert}\n',
        'p.yaml',
      ),
    );
    expect(plan.profile).toMatchObject({
      name: 'mine',
      patterns: { event: 'alert', flowIdPath: 'event_data.data.data.flow_id' },
      checkpoints: [],
    });
    expect(errorOf(() => resolvePlan({ profile: 'mien', profiles: { mine: {} } })).message).toMatch(
      /Did you mean mine\?/,
    );
  });

  test('--browsers needs a profile that names its page: spec does, tickstockappv2 does not until a file gives one', () => {
    expect(resolvePlan({ clients: { browsers: 2 } })).toMatchObject({
      browsers: 2,
      profile: { page: { path: '/', errorSelector: '#errors .item', tokenHashKey: 'token' } },
    });
    const e = errorOf(() => resolvePlan({ profile: 'tickstockappv2', clients: { browsers: 1 } }));
    expect(e.code).toBe('RUN_BROWSERS');
    expect(resolvePlan({ profile: 'tickstockappv2', clients: { browsers: 0 } }).browsers).toBe(0);
    const plan = resolvePlan(
      parseScenarioFile(
        [
          'profile: appv2ui',
          'clients: { browsers: 3 }',
          'profiles:',
          '  appv2ui:',
          '    extends: tickstockappv2',
          "    page: { path: /errors, error_selector: '.error-row', token_hash_key: jwt }",
        ].join('\n'),
        'ui.yaml',
      ),
    );
    expect(plan.profile.page).toEqual({
      path: '/errors',
      errorSelector: '.error-row',
      readySelector: undefined,
      tokenHashKey: 'jwt',
    });
    expect(errorOf(() => parseScenarioFile('clients: { browsers: 51 }', 'b.yaml')).code).toBe('RUN_SCENARIO');
  });
});
