import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { describe, expect, inject, test } from 'vitest';
import { CHANNELS } from '../../src/contract/channels.ts';
import type { RecordedMessage } from '../../src/contract/schemas/recording.ts';
import { messageBytes, readRecording } from '../../src/sim/recording-file.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { runCli } from '../support/run-cli.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
const seed = String(inject('seed'));

async function messagesOf(path: string): Promise<RecordedMessage[]> {
  const out: RecordedMessage[] = [];
  for await (const line of readRecording(path)) if (line.kind === 'message') out.push(line.message);
  return out;
}

/** `tickstock record` until it says it is subscribed; stopped by SIGINT as Ctrl+C would. */
async function startRecording(path: string, extra: readonly string[] = []) {
  const run = runCli(['record', '--redis-url', services.redisUrl, '--out', path, ...extra]);
  await run.waitFor(/tickstock record: /, 20_000);
  return {
    output: () => run.output(),
    stop: async () => {
      run.child.kill('SIGINT');
      return withDeadline(run.exited, 20_000, 'tickstock record to close');
    },
  };
}

describe('tickstock record', () => {
  test('20,000 msgs/s from the simulator: every one recorded (counted against the publisher), in order, bytes as sent; gzip; closed cleanly by Ctrl+C', async () => {
    const path = join(await runTempDir('record-'), 'traffic.ndjson.gz');
    const recording = await startRecording(path);
    const simRun = runCli([
      ...['sim', '--no-db', '--redis-url', services.redisUrl, '--seed', seed],
      ...['--rate', '20000', '--duration', '1', '--out', `json=${path}.sim.json`],
    ]);
    expect(await withDeadline(simRun.exited, 30_000, 'sim to end'), simRun.output()).toBe(0);
    expect(await recording.stop(), recording.output()).toBe(0);
    const sent = (JSON.parse(await readFile(`${path}.sim.json`, 'utf8')) as { sent: number }).sent;
    expect(sent).toBe(20_000);
    const messages = await messagesOf(path);
    expect(messages).toHaveLength(sent);
    expect(recording.output()).toContain(`recorded ${sent} messages (${CHANNELS.patterns} ${sent})`);
    const times = messages.map((m) => m.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const text = gunzipSync(await readFile(path))
      .toString('utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(text.at(-1)!)).toMatchObject({ kind: 'trailer', messages: sent });
  }, 90_000);

  test('malformed bytes stay malformed (invalid UTF-8 as base64), --redact blanks the named fields and says so', async () => {
    const path = join(await runTempDir('record-'), 'odd.ndjson');
    const recording = await startRecording(path, [
      '--channels',
      'tickstock:errors,tickstock.events.*',
      '--redact',
      'token',
    ]);
    const pub = new Redis(services.redisUrl);
    const odd = [
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), // not UTF-8
      Buffer.from('{"data": [1, 2,'), // truncated JSON
      Buffer.from('{"token":"s3cret","nested":{"token":1},"keep":"\\u00e9"}'),
    ];
    try {
      for (const bytes of odd) await pub.publish(CHANNELS.errors, bytes);
      await pub.publish('not.recorded', 'x');
    } finally {
      pub.disconnect();
    }
    expect(await recording.stop(), recording.output()).toBe(0);
    const messages = await messagesOf(path);
    expect(messages.map((m) => m.channel)).toEqual([CHANNELS.errors, CHANNELS.errors, CHANNELS.errors]);
    expect(messages[0]).toMatchObject({ data_base64: odd[0]!.toString('base64') });
    expect(messageBytes(messages[0]!)).toEqual(odd[0]);
    expect(messageBytes(messages[1]!)).toEqual(odd[1]);
    expect(messages[2]).toMatchObject({ redacted: true });
    expect(JSON.parse(messageBytes(messages[2]!).toString())).toEqual({
      token: '[redacted]',
      nested: { token: '[redacted]' },
      keep: 'é',
    });
    expect(recording.output()).toContain('1 with fields blanked');
  }, 60_000);

  test('sim --export writes a seeded run as a recording without services; validate judges it per channel and profile', async () => {
    const dir = await runTempDir('record-');
    const [a, b] = [join(dir, 'a.ndjson'), join(dir, 'b.ndjson.gz')];
    for (const path of [a, b]) {
      const run = runCli([
        'sim',
        '--export',
        path,
        '--rate',
        '500',
        '--duration',
        '2',
        '--seed',
        seed,
        '--repeat-ids',
      ]);
      expect(await withDeadline(run.exited, 20_000, 'sim --export'), run.output()).toBe(0);
    }
    const [ma, mb] = [await messagesOf(a), await messagesOf(b)];
    expect(ma).toHaveLength(1000);
    expect(ma.map((m) => m.t)).toEqual(mb.map((m) => m.t)); // the same schedule
    // Only the timestamps differ: each run is stamped from its own start.
    const content = (m: RecordedMessage) => ({ ...(JSON.parse(m.data!) as object), timestamp: 0 });
    expect(ma.map(content)).toEqual(mb.map(content)); // the same events, ids too (--repeat-ids)
    const validate = runCli(['validate', b, '--profile', 'all']);
    expect(await withDeadline(validate.exited, 20_000, 'validate'), validate.output()).toBe(0);
    expect(validate.output()).toContain(
      `${CHANNELS.patterns}: 1000 messages · spec ✓ 1000 ✗ 0 · tickstockappv2 ✓ 1000 ✗ 0`,
    );
    const endless = runCli(['sim', '--export', join(dir, 'c.ndjson')]);
    expect(await withDeadline(endless.exited, 20_000, 'sim --export')).toBe(2);
    expect(endless.output()).toContain('--export needs an end');
  }, 60_000);
});
