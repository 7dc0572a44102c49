import { buildCli } from '../../scripts/build-cli.ts';

/** The tests run the CLI as users do, through bin/tickstock.js: compiled from the sources as they are. */
export default async function setup(): Promise<void> {
  const started = Date.now();
  await buildCli();
  console.log(`[harness] CLI current (${Date.now() - started} ms)`);
}
