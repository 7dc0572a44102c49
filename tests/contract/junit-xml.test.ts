import { describe, expect, test } from 'vitest';
import { escapeXml, junitXml } from '../../src/shared/junit-xml.ts';
import { junitSchemaErrors } from '../support/junit-schema.ts';

describe('JUnit XML', () => {
  test('counts tests and failures per suite and overall', () => {
    const xml = junitXml('run', [
      { name: 'a', cases: [{ classname: 'x', name: 'one' }] },
      {
        name: 'b',
        timeSeconds: 1.5,
        cases: [
          { classname: 'y', name: 'two', timeSeconds: 0.25 },
          { classname: 'y', name: 'three', failure: { message: 'bad', type: 'E', detail: 'line 1\nline 2' } },
        ],
      },
    ]);
    expect(xml).toMatch(/<testsuites name="run" tests="3" failures="1">/);
    expect(xml).toMatch(/<testsuite name="b" tests="2" failures="1" errors="0" time="1.5">/);
    expect(xml).toMatch(/<testcase classname="y" name="two" time="0.25"\/>/);
    expect(xml).toMatch(/<testcase classname="y" name="three">\s*<failure message="bad" type="E">line 1\nline 2<\/failure>/);
  });

  test('markup is escaped and characters XML cannot hold are replaced', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('nul\u0000 bell\u0007 tab\t \u{1F600}')).toBe('nul\uFFFD bell\uFFFD tab\t \u{1F600}');
  });

  test('what the writer makes validates against contract/junit.xsd, hostile text included', async () => {
    const hostile = `<x a="1">]]> & \u0000\u0007 --> \u{1F600}`;
    const xml = junitXml(hostile, [
      { name: 'empty', cases: [] },
      {
        name: hostile,
        timeSeconds: 0.001,
        cases: [
          { classname: hostile, name: 'passed', timeSeconds: 12.5 },
          { classname: 'c', name: hostile, failure: { message: hostile, type: hostile, detail: hostile } },
        ],
      },
    ]);
    expect(await junitSchemaErrors(xml)).toEqual([]);
  });

  test('the schema refuses what CI readers would misread', async () => {
    const good = junitXml('run', [{ name: 's', cases: [{ classname: 'c', name: 'n', timeSeconds: 1 }] }]);
    expect(await junitSchemaErrors(good)).toEqual([]);
    const broken = {
      'a count that is not a number': good.replace('tests="1" failures="0" errors', 'tests="one" failures="0" errors'),
      'a negative time': good.replace('time="1"', 'time="-1"'),
      'a test case outside a suite': good.replace('<testsuites name="run" tests="1" failures="0">', '<testsuites><testcase classname="c" name="x"/>'),
      'a suite without its counts': good.replace(' failures="0" errors="0"', ''),
    };
    for (const [what, xml] of Object.entries(broken))
      expect(await junitSchemaErrors(xml), what).not.toEqual([]);
  });
});
