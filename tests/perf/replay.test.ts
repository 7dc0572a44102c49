import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Redis } from 'ioredis';
import { describe, expect, inject, test } from 'vitest';
import { CHANNELS } from '../../src/contract/channels.ts';
import { RunReport } from '../../src/contract/schemas/run-report.ts';
import { replaySource } from '../../src/run/replay-source.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { LatencyHistogram } from '../../src/shared/latency-histogram.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { exportRecording } from '../../src/sim/export-recording.ts';
import { createRecordingWriter, messageBytes, readRecording } from '../../src/sim/recording-file.ts';
import { captureLogs } from '../support/log-capture.ts';
import { useIsolatedServices } from '../support/isolated-services.ts';
import { runCli } from '../support/run-cli.ts';
import { runTempDir } from '../support/temp-dir.ts';
import { withDeadline } from '../support/wait-for.ts';

const services = useIsolatedServices();
const seed = inject('seed');
const validReport = new Ajv().compile<RunReport>(RunReport);

/** A seeded run of 300 patterns over 1.5 s, a malformed message and one that is not UTF-8 among them. */
async function recording(dir: string): Promise<string> {
  const path = join(dir, `rec-${process.hrtime.bigint()}.ndjson`);
  const writer = await createRecordingWriter(path, {
    started_at: new Date().toISOString(),
    source: 'test',
    channels: ['tickstock*'],
    redacted: [],
  });
  await exportRecording(writer, {
    seed,
    idSeed: seed,
    scenario: {
      kind: 'steady',
      rate: 200,
      rampFrom: 1,
      rampSeconds: 1,
      burstRate: 1,
      burstSeconds: 1,
      burstEverySeconds: 1,
    },
    startMs: Date.now(),
    durationMs: 1500,
  });
  writer.message(1500, CHANNELS.patterns, Buffer.from('{"event_type": "pattern_detected", "data": {'));
  writer.message(1510, CHANNELS.errors, Buffer.from([0x7b, 0xff, 0x7d]));
  await writer.close(1510, new Date());
  return path;
}

async function recorded(path: string) {
  const out: { t: number; channel: string; bytes: Buffer }[] = [];
  for await (const l of readRecording(path))
    if (l.kind === 'message')
      out.push({ t: l.message.t, channel: l.message.channel, bytes: messageBytes(l.message) });
  return out;
}

describe('run --replay', () => {
  test.each([1, 4])(
    'speed %d: every message on its channel, byte for byte, at its recorded offset divided by the speed',
    async (speed) => {
      const path = await recording(await runTempDir('replay-'));
      const want = await recorded(path);
      const sub = new Redis(services.redisUrl);
      const pub = new Redis(services.redisUrl);
      const got: { channel: string; bytes: Buffer; at: number }[] = [];
      sub.on('pmessageBuffer', (_p: Buffer, channel: Buffer, bytes: Buffer) =>
        got.push({ channel: channel.toString(), bytes, at: systemClock.now() }),
      );
      await sub.psubscribe('tickstock*');
      try {
        const flows: string[] = [];
        const source = replaySource(
          {
            redis: pub,
            recorder: undefined,
            clock: systemClock,
            logger: captureLogs().logger,
            random: seededRandom(seed),
          },
          { path, speed, loop: false, freshIds: false, seconds: undefined },
        );
        const stats = await source.run((flowId) => flows.push(flowId));
        expect(stats).toMatchObject({ sent: 300, malformed: 1, aux: 1, errors: 0 });
        await withDeadline(
          new Promise<void>((resolve) => {
            const check = () => (got.length >= want.length ? resolve() : setTimeout(check, 10));
            check();
          }),
          10_000,
          'every replayed message to arrive',
        );
      } finally {
        sub.disconnect();
        pub.disconnect();
      }
      expect(got.map((g) => g.channel)).toEqual(want.map((w) => w.channel));
      got.forEach((g, i) => expect(g.bytes.equals(want[i]!.bytes), `message ${i}`).toBe(true));
      // Inter-arrival times against the recording's, scaled: how well the schedule was kept.
      const error = new LatencyHistogram();
      for (let i = 1; i < got.length; i++) {
        const replayed = got[i]!.at - got[i - 1]!.at;
        const meant = (want[i]!.t - want[i - 1]!.t) / speed;
        error.record(Math.abs(replayed - meant));
      }
      const e = error.summary();
      console.log(
        `[e2e] replay speed ${speed}: inter-arrival error p50 ${e.p50.toFixed(3)} ms, p99 ${e.p99.toFixed(3)} ms, max ${e.max.toFixed(2)} ms`,
      );
      // Generous, for a shared machine: a quiet one keeps p99 near 1 ms (docs/performance.md).
      expect(e.p50, JSON.stringify(e)).toBeLessThan(20);
      // Each arrival less its scheduled offset is constant while the schedule holds, whatever the
      // start's lateness (a late first message once shortened the whole span by 60 ms). At the wrong
      // speed it would spread by ≈ 1.1 s over the recording's 1.51 s.
      const drift = got.map((g, i) => g.at - want[i]!.t / speed).sort((a, b) => a - b);
      const at = (q: number) => drift[Math.floor(q * (drift.length - 1))]!;
      expect(at(0.95) - at(0.05), `arrival less offset: p5 ${at(0.05)}, p95 ${at(0.95)}`).toBeLessThan(100);
    },
    30_000,
  );

  test('tickstock run --start reference --replay, looped at speed 4: every flow of every pass delivered and complete, none merged (later passes get fresh ids); misuse is exit 2', async () => {
    const dir = await runTempDir('replay-');
    const path = await recording(dir);
    const json = join(dir, 'run.json');
    // A pass lasts 1,510 / 4 ms: 0.75 s holds two passes, nearly.
    const run = runCli([
      ...['run', '--start', 'reference', '--replay', path, '--speed', '4', '--loop', '--duration', '0.75'],
      ...['--clients', '2', '--seed', String(seed), '--threshold', 'lost == 0'],
      ...['--threshold', 'flows_complete >= 1', '--out', `json=${json}`],
    ]);
    expect(await withDeadline(run.exited, 60_000, 'the replay run'), run.output()).toBe(0);
    expect(run.output()).toMatch(/replay of .* at speed 4, looped/);
    const r = JSON.parse(await readFile(json, 'utf8')) as RunReport;
    expect(validReport(r), JSON.stringify(validReport.errors)).toBe(true);
    // More flows than one pass holds, each its own: the second pass did not reuse the first's ids.
    expect(r.delivery.sent).toBeGreaterThan(300);
    expect(r.delivery.received_min).toBe(r.delivery.sent);
    expect(r.checkpoints).toMatchObject({ recorded: true, complete: r.delivery.sent });
    expect(r.generator.malformed_sent).toBe(1);
    expect(r.load?.replay).toEqual({ file: path, speed: 4, loop: true, fresh_ids: false });
    for (const [args, says] of [
      [['--replay', path, '--loop'], '--loop (load.replay.loop) without --duration would never end'],
      [['--speed', '2'], '--speed without --replay'],
      [['--replay', path, '--rate', '10'], 'and a rate or stages were both given'],
      [['--replay', join(dir, 'missing.ndjson')], 'not a readable tickstock recording'],
    ] as const) {
      const bad = runCli(['run', '--start', 'reference', ...args]);
      expect(await withDeadline(bad.exited, 20_000, 'the refusal'), bad.output()).toBe(2);
      expect(bad.output()).toContain(says);
    }
  }, 120_000);
});
