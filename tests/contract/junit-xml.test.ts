import { describe, expect, test } from 'vitest';
import { escapeXml, junitXml } from '../../src/shared/junit-xml.ts';

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
});
