/**
 * JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters): testsuites → testsuite →
 * testcase, with a failure element on the failed ones. A writer this small needs no XML library.
 */
export interface JUnitFailure {
  /** One line: shown as the failure's title. */
  readonly message: string;
  readonly type: string;
  /** Any number of lines: shown as the failure's body. */
  readonly detail: string;
}

export interface JUnitCase {
  readonly classname: string;
  readonly name: string;
  readonly timeSeconds?: number;
  readonly failure?: JUnitFailure;
}

export interface JUnitSuite {
  readonly name: string;
  readonly cases: readonly JUnitCase[];
  readonly timeSeconds?: number;
}

// XML 1.0 cannot hold most control characters, even escaped: a quoted bad message must not break the report.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export const escapeXml = (text: string): string =>
  text.replace(NOT_XML, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

const attrs = (values: Record<string, string | number | undefined>): string =>
  Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');

const failures = (cases: readonly JUnitCase[]): number => cases.filter((c) => c.failure).length;

function testcase(c: JUnitCase): string {
  const head = `    <testcase${attrs({ classname: c.classname, name: c.name, time: c.timeSeconds })}`;
  if (c.failure === undefined) return `${head}/>`;
  const { message, type, detail } = c.failure;
  return `${head}>\n      <failure${attrs({ message, type })}>${escapeXml(detail)}</failure>\n    </testcase>`;
}

/** The whole document; counts in the attributes are taken from the cases. */
export function junitXml(name: string, suites: readonly JUnitSuite[]): string {
  const all = suites.flatMap((s) => s.cases);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name, tests: all.length, failures: failures(all) })}>`,
    ...suites.flatMap((s) => [
      `  <testsuite${attrs({ name: s.name, tests: s.cases.length, failures: failures(s.cases), errors: 0, time: s.timeSeconds })}>`,
      ...s.cases.map(testcase),
      '  </testsuite>',
    ]),
    '</testsuites>',
    '',
  ].join('\n');
}
