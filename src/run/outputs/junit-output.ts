import { writeFile } from 'node:fs/promises';
import { junitXml, type JUnitSuite } from '../../shared/junit-xml.ts';
import type { RunReport } from '../run-report.ts';
import { formatChange, formatFigure, toleranceText } from './baseline-text.ts';
import type { RunOutput } from './run-output.ts';

/** One testcase per figure compared with the baseline; a regressed one fails. */
const baselineSuite = (s: NonNullable<RunReport['baseline']>): JUnitSuite => ({
  name: `baseline (${s.file})`,
  cases: s.comparisons.map((c) => ({
    classname: 'tickstock.run.baseline',
    name: c.metric,
    ...(c.regressed
      ? {
          failure: {
            message: `${c.metric} regressed: ${formatFigure(c.metric, c.current)} against ${formatFigure(c.metric, c.baseline)} (${formatChange(c.change_pct)})`,
            type: 'BaselineRegressed',
            detail: `A figure regresses when it is ${toleranceText(s)}. Baseline: ${s.file}.`,
          },
        }
      : {}),
  })),
});

/** One testcase per threshold, so a CI system shows which one failed and by how much. */
export const junitOutput = (path: string): RunOutput => ({
  name: `junit=${path}`,
  write: (report) =>
    writeFile(
      path,
      junitXml('tickstock run', [
        {
          name: `thresholds (${report.profile})`,
          timeSeconds: report.elapsed_ms / 1000,
          cases: report.thresholds.map((t) => ({
            classname: 'tickstock.run.thresholds',
            name: t.expr,
            ...(t.ok
              ? {}
              : {
                  failure: {
                    message: t.value === null ? `${t.name} was not measured` : `${t.name} was ${t.value}`,
                    type: 'ThresholdFailed',
                    detail: `${t.expr}: measured ${t.value === null ? 'nothing' : t.value}`,
                  },
                }),
          })),
        },
        ...(report.baseline === undefined ? [] : [baselineSuite(report.baseline)]),
      ]),
    ),
});
