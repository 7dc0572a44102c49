import { writeFile } from 'node:fs/promises';
import { junitXml } from '../../shared/junit-xml.ts';
import type { RunOutput } from './run-output.ts';

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
      ]),
    ),
});
