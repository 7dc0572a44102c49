/*
 * npm run bench:contract — parse + validate throughput of the contract on one core, for valid and
 * invalid pattern events arriving as bytes (as the consumer receives them). Writes reports/contract-bench.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { CHANNELS } from '../../src/contract/channels.ts';
import { validateMessage } from '../../src/contract/validate.ts';
import { invalidFixtures } from '../support/fixtures.ts';

const MESSAGES = 100_000;
const ROUNDS = 7;
const SYMBOLS = ['AAPL', 'GOOGL', 'MSFT', 'TSLA', 'NVDA'];
const PATTERNS = ['Volume_Spike', 'Price_Breakout', 'Support_Test', 'Resistance_Break'];

function validEvent(i: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      event_type: 'pattern_detected',
      source: 'TickStockPL',
      timestamp: 1_758_115_200 + i / 1000,
      data: {
        symbol: SYMBOLS[i % SYMBOLS.length],
        pattern: PATTERNS[i % PATTERNS.length],
        confidence: 0.7 + (i % 30) / 100,
        flow_id: randomUUID(),
        tier: 'intraday',
        price_change: ((i % 100) - 50) / 10,
        current_price: 100 + (i % 400),
      },
    }),
  );
}

const invalid = invalidFixtures()
  .filter((f) => f.channel === CHANNELS.patterns && f.code !== 'TOO_LARGE')
  .map((f) => f.bytes);

function measure(
  label: string,
  inputs: readonly Buffer[],
  expectOk: boolean,
): { label: string; perSecond: number[] } {
  const perSecond: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    let mismatches = 0;
    const started = process.hrtime.bigint();
    for (const input of inputs)
      if (validateMessage(input, { channel: CHANNELS.patterns }).ok !== expectOk) mismatches += 1;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (mismatches > 0) throw new Error(`${label}: ${mismatches} verdicts differ from the expected one`);
    perSecond.push(inputs.length / seconds);
  }
  return { label, perSecond };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const valid = Array.from({ length: MESSAGES }, (_, i) => validEvent(i));
const bad = Array.from({ length: MESSAGES }, (_, i) => invalid[i % invalid.length]!);
measure('warm-up', valid.slice(0, 20_000), true);
const results = [
  measure('valid pattern events', valid, true),
  measure('invalid pattern events (fixture mix)', bad, false),
];

console.log(
  `contract bench: ${MESSAGES} messages x ${ROUNDS} rounds, one core, bytes in (UTF-8 check + JSON.parse + guard + Ajv)`,
);
for (const r of results) {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `  ${r.label.padEnd(38)} median ${fmt(median(r.perSecond))}/s  (min ${fmt(Math.min(...r.perSecond))}, max ${fmt(Math.max(...r.perSecond))}; ${(1e6 / median(r.perSecond)).toFixed(2)} µs each)`,
  );
}
await mkdir('reports', { recursive: true });
const report = {
  bench: 'contract',
  node: process.version,
  messages: MESSAGES,
  rounds: ROUNDS,
  results: results.map((r) => ({
    label: r.label,
    medianPerSecond: median(r.perSecond),
    perSecond: r.perSecond,
  })),
};
await writeFile('reports/contract-bench.json', `${JSON.stringify(report, null, 2)}\n`);
console.log('report: reports/contract-bench.json');
