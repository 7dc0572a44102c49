import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { RunScenario, RunStage } from '../contract/schemas/run-scenario.ts';
import { RunUsageError } from './run-error.ts';
import {
  describeSchemaError,
  dotted,
  schemaAjv as ajv,
  schemaErrorLine,
  type Segment,
} from './schema-errors.ts';
import { lazy } from '../shared/lazy.ts';

const scenarioCheck = lazy(() => ajv.compile<RunScenario>(RunScenario));
const stageCheck = lazy(() => ajv.compile<RunStage>(RunStage));

/** The YAML node at a path, for its line: for an unknown key, the key itself. */
function nodeAt(doc: Document, segments: readonly Segment[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const [i, segment] of segments.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === segment);
      if (pair === undefined) return node;
      node = i === segments.length - 1 ? pair.key : pair.value;
    } else {
      const child = (node as { get?: (k: unknown, keep: boolean) => unknown }).get?.(segment, true);
      if (child === undefined) return node as Node;
      node = child;
    }
  }
  return node as Node | undefined;
}

const badScenario = (name: string, lines: readonly string[]) =>
  new RunUsageError(
    'RUN_SCENARIO',
    `${name} is not a valid scenario:\n${lines.map((l) => `  ${l}`).join('\n')}`,
    'Fix those keys (docs/run.md lists every field; contract/schemas/run-scenario.schema.json is its schema).',
  );

/**
 * A scenario file (YAML, or JSON, which is YAML) as typed data. A mistake is reported with its line
 * and column, the key, and for a typo the nearest known key, all at once (exit 2).
 */
export function parseScenarioFile(text: string, name: string): RunScenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw badScenario(
      name,
      doc.errors.map(
        (e) =>
          `${name}:${e.linePos?.[0].line ?? '?'}:${e.linePos?.[0].col ?? '?'}: ${e.message.split(/ at line|\n/)[0]}`,
      ),
    );
  const data: unknown = doc.toJS() ?? {};
  const validScenario = scenarioCheck();
  if (validScenario(data)) return data;
  const found = (validScenario.errors ?? []).map((error) => {
    const { segments, text: what } = describeSchemaError(error);
    const range = nodeAt(doc, segments)?.range;
    const at = range === undefined || range === null ? { line: 0, col: 0 } : lineCounter.linePos(range[0]);
    return { at, line: `${name}:${at.line}:${at.col}: ${dotted(segments)}: ${what}` };
  });
  found.sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col);
  throw badScenario(name, [...new Set(found.map((f) => f.line))]);
}

/**
 * `--stage KIND,key=value,…` (e.g. `ramp,from=10,rate=1000,seconds=30`): the same stage a file
 * writes under load.stages, checked by the same schema.
 */
export function parseStageFlag(spec: string): RunStage {
  const [kind, ...pairs] = spec.split(',').map((s) => s.trim());
  const stage: Record<string, unknown> = { kind };
  for (const pair of pairs) {
    const [key, value] = pair.split('=');
    if (key === undefined || value === undefined || key === '')
      throw new RunUsageError(
        'RUN_STAGE',
        `--stage ${spec}: '${pair}' is not key=value`,
        'Write --stage KIND,key=value,… e.g. --stage ramp,from=10,rate=1000,seconds=30',
      );
    stage[key] = value.trim() === '' || Number.isNaN(Number(value)) ? value : Number(value);
  }
  const validStage = stageCheck();
  if (validStage(stage)) return stage;
  const what = (validStage.errors ?? []).map(schemaErrorLine);
  throw new RunUsageError(
    'RUN_STAGE',
    `--stage ${spec}: ${[...new Set(what)].join('; ')}`,
    'A stage is steady|ramp|burst|soak with seconds=N and rate=N (ramp: from=N; burst: burst_rate, burst_seconds, burst_every).',
  );
}
