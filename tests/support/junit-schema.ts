import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { validateXML } from 'xmllint-wasm';

const schema = {
  fileName: 'junit.xsd',
  contents: await readFile(new URL('../../contract/junit.xsd', import.meta.url), 'utf8'),
};

/** libxml2's verdict (xmllint, as WebAssembly) on `xml` against contract/junit.xsd: its errors, or none. */
export async function junitSchemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: { fileName: 'report.xml', contents: xml }, schema });
  return result.errors.map((e) => e.rawMessage);
}

/** A JUnit report read from `path`, failing the test unless it validates against contract/junit.xsd. */
export async function readJUnit(path: string): Promise<string> {
  const xml = await readFile(path, 'utf8');
  const errors = await junitSchemaErrors(xml);
  if (errors.length > 0)
    expect.fail(`${path} does not validate against contract/junit.xsd:\n${errors.join('\n')}`);
  return xml;
}
