/*
 * npm run bench:replay — how faithfully a recording is replayed, through the reference consumer.
 * 1. A live simulator run (1,000 events/s for 10 s) is recorded by `tickstock record` from Redis.
 * 2. `tickstock run --replay` sends it at speed 1 and 4 to a running `tickstock consumer`, while a second
 *    `tickstock record` (its own process) records the replay. Bytes must match the live recording's;
 *    the figure is the inter-arrival error (replayed gap minus recorded gap divided by the speed), beside
 *    the run's publish→client latency and the replay's own lateness.
 * 3. The floor: the same messages at the same offsets sent by a bare setTimeout loop in this process,
 *    recorded the same way (the hop without the replay's code).
 * 4. The replay alone (speed 1): the consumer stopped, the replay's code in this process into Redis.
 * 5. Memory: a 1-hour recording at 1,000 events/s (sim --export, gzip; kept in reports/) replayed for 20 s
 *    against the 10 s one: the run's peak RSS must not grow with the file (it is streamed, never loaded).
 * BENCH_REPEAT runs each speed (default 3), medians. Writes reports/bench-replay.json.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { RunReport } from '../../src/contract/schemas/run-report.ts';
import { replaySource } from '../../src/run/replay-source.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { seededRandom } from '../../src/shared/seeded-random.ts';
import { formatMs, LatencyHistogram, type LatencySummary } from '../../src/shared/latency-histogram.ts';
import { isRecording, messageBytes, readRecording } from '../../src/sim/recording-file.ts';
import { consumerCli, consumerUrl } from '../support/consumer-cli.ts';
import { runCli, type CliRun } from '../support/run-cli.ts';
import { withBenchServices } from './load/bench-services.ts';

const repeat = Number(process.env['BENCH_REPEAT'] ?? 3);
const RATE = 1000;
const SECONDS = 10;
const HOUR = 3600;
const MEMORY_SECONDS = 20;
const median = (v: readonly number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

interface Message {
  readonly t: number;
  readonly bytes: Buffer;
}

interface Fidelity {
  readonly bytesMatch: boolean;
  readonly received: number;
  readonly interArrivalError: LatencySummary;
}

interface ReplayRun extends Fidelity {
  readonly speed: number;
  readonly publishToClient: RunReport['latency_ms']['publish_to_client'];
  readonly delivered: number;
  readonly latenessP99: number;
}

async function messagesOf(path: string): Promise<Message[]> {
  const out: Message[] = [];
  for await (const l of readRecording(path))
    if (l.kind === 'message') out.push({ t: l.message.t, bytes: messageBytes(l.message) });
  return out;
}

/** The replayed messages against the recording's: the same bytes, and gaps scaled by the speed. */
function fidelity(want: readonly Message[], got: readonly Message[], speed: number): Fidelity {
  const error = new LatencyHistogram();
  for (let i = 1; i < Math.min(got.length, want.length); i++)
    error.record(Math.abs(got[i]!.t - got[i - 1]!.t - (want[i]!.t - want[i - 1]!.t) / speed));
  return {
    bytesMatch: got.length === want.length && got.every((g, i) => g.bytes.equals(want[i]!.bytes)),
    received: got.length,
    interArrivalError: error.summary(),
  };
}

const ended = async (run: CliRun, what: string): Promise<number | null> => {
  const code = await run.exited;
  if (code !== 0) throw new Error(`${what} exited ${code}:\n${run.output().slice(-2000)}`);
  return code;
};

/** `tickstock record` of the patterns channel in its own process, around `work`; its recording's messages. */
async function recorded(redisUrl: string, out: string, work: () => Promise<void>): Promise<Message[]> {
  const channels = ['--channels', 'tickstock.events.patterns'];
  const recorder = runCli(['record', '--redis-url', redisUrl, ...channels, '--out', out]);
  await recorder.waitFor(/tickstock record: /, 20_000);
  await work();
  await new Promise((r) => setTimeout(r, 500)); // the last messages on their way to the recorder
  recorder.child.kill('SIGINT');
  await ended(recorder, 'tickstock record');
  return messagesOf(out);
}

/** The floor: each message at its offset by a plain timer, no replay code. */
async function bareReplay(redisUrl: string, want: readonly Message[], speed: number): Promise<void> {
  const pub = new Redis(redisUrl);
  try {
    const start = performance.now() + 50;
    for (const m of want) {
      const wait = start + m.t / speed - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      void pub.publish('tickstock.events.patterns', m.bytes);
    }
    await pub.ping();
  } finally {
    pub.disconnect();
  }
}

/** Peak resident memory of a process, sampled every 100 ms until it ends (VmHWM is read last). */
async function peakRssMb(pid: number, exited: Promise<unknown>): Promise<number> {
  let peak = 0;
  const read = async () => {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peak = Math.max(peak, kb / 1024);
  };
  const timer = setInterval(() => void read(), 100);
  await exited;
  clearInterval(timer);
  return peak;
}

await withBenchServices('replay', async ({ services, registry, freshDatabase }) => {
  console.log(
    `bench:replay — ${cpus().length} cores, Node ${process.version}; ${repeat} runs per speed, load ${loadavg()[0]!.toFixed(2)} at the start`,
  );
  const redisUrl = services.redis.url;
  const databaseUrl = await freshDatabase();
  const consumer = consumerCli({ databaseUrl, redisUrl }, registry.dir);
  const url = await consumerUrl(consumer, 30_000);
  try {
    const live = join(registry.dir, 'live.ndjson');
    const want = await recorded(redisUrl, live, async () => {
      const sim = runCli(['sim', '--rate', String(RATE), '--duration', String(SECONDS), '--seed', '1'], {
        REDIS_URL: redisUrl,
        DATABASE_URL: databaseUrl,
      });
      await ended(sim, 'tickstock sim');
    });
    console.log(`recorded a live simulator run: ${want.length} patterns over ${SECONDS} s at ${RATE}/s`);

    const replayOnce = async (speed: number): Promise<ReplayRun> => {
      const json = join(registry.dir, `run-${speed}-${process.hrtime.bigint()}.json`);
      const out = join(registry.dir, `replayed-${speed}-${process.hrtime.bigint()}.ndjson`);
      const got = await recorded(redisUrl, out, async () => {
        const run = runCli(
          [
            ...['run', '--socketio-url', url, '--redis-url', redisUrl, '--no-db', '--replay', live],
            ...['--speed', String(speed), '--clients', '1', '--grace', '2', '--threshold', 'lost == 0'],
            ...['--out', `json=${json}`],
          ],
          {},
        );
        await ended(run, 'tickstock run --replay');
      });
      const report = JSON.parse(await readFile(json, 'utf8')) as RunReport;
      return {
        speed,
        ...fidelity(want, got, speed),
        publishToClient: report.latency_ms.publish_to_client,
        delivered: report.delivery.received_min,
        latenessP99: report.generator.lateness_ms_p99,
      };
    };

    const results: Record<string, unknown> = {};
    for (const speed of [1, 4]) {
      console.log(`\nreplayed at speed ${speed} through the reference consumer (1 client)`);
      const runs: ReplayRun[] = [];
      const floors: Fidelity[] = [];
      for (let i = 0; i < repeat; i++) {
        const r = await replayOnce(speed);
        runs.push(r);
        const out = join(registry.dir, `floor-${speed}-${i}.ndjson`);
        const floor = fidelity(
          want,
          await recorded(redisUrl, out, () => bareReplay(redisUrl, want, speed)),
          speed,
        );
        floors.push(floor);
        console.log(
          `  ${r.received} received, bytes ${r.bytesMatch ? 'identical' : 'DIFFER'} · inter-arrival error p50 ${formatMs(r.interArrivalError.p50)} p99 ${formatMs(r.interArrivalError.p99)} (floor: a bare timer, p99 ${formatMs(floor.interArrivalError.p99)}) · publish→client p99 ${formatMs(r.publishToClient.p99)}, ${r.delivered} delivered · replay late p99 ${formatMs(r.latenessP99)} · load ${loadavg()[0]!.toFixed(2)}`,
        );
      }
      const m = {
        interArrivalP50: median(runs.map((r) => r.interArrivalError.p50)),
        interArrivalP99: median(runs.map((r) => r.interArrivalError.p99)),
        floorInterArrivalP99: median(floors.map((f) => f.interArrivalError.p99)),
        publishToClientP99: median(runs.map((r) => r.publishToClient.p99)),
        latenessP99: median(runs.map((r) => r.latenessP99)),
        bytesMatch: runs.every((r) => r.bytesMatch),
        everyDelivered: runs.every((r) => r.delivered === want.length),
      };
      console.log(
        `  median of ${repeat}: inter-arrival error p50 ${formatMs(m.interArrivalP50)} p99 ${formatMs(m.interArrivalP99)} (floor p99 ${formatMs(m.floorInterArrivalP99)}), publish→client p99 ${formatMs(m.publishToClientP99)}, replay late p99 ${formatMs(m.latenessP99)}, bytes ${m.bytesMatch ? 'identical in every run' : 'DIFFER'}, ${m.everyDelivered ? 'every event delivered' : 'SOME NOT DELIVERED'}`,
      );
      results[`speed${speed}`] = { medians: m, runs, floors };
    }

    // Memory: the hour-long recording must cost what the 10 s one does.
    // Seeded, so kept between benches (3 minutes to write on 2 cores).
    await mkdir('reports', { recursive: true });
    const hour = `reports/bench-replay-hour-${RATE}.ndjson.gz`;
    if (!(await isRecording(hour))) {
      const t0 = performance.now();
      const args = ['--rate', String(RATE), '--duration', String(HOUR), '--seed', '1'];
      await ended(runCli(['sim', '--export', hour, ...args]), 'tickstock sim --export');
      console.log(`\nexported 1 hour in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const hourMb = (await stat(hour)).size / 1e6;
    console.log(
      `\n${hour}: 1 hour at ${RATE}/s (${(RATE * HOUR).toLocaleString('en-US')} events), ${hourMb.toFixed(0)} MB gzipped`,
    );
    const replayRss = async (path: string): Promise<number> => {
      const run = runCli([
        ...['run', '--socketio-url', url, '--redis-url', redisUrl, '--no-db', '--replay', path],
        ...['--duration', String(MEMORY_SECONDS), '--clients', '1', '--grace', '2'],
        ...['--threshold', 'lost == 0'],
      ]);
      const peak = await peakRssMb(run.child.pid!, run.exited);
      await ended(run, 'tickstock run --replay');
      return peak;
    };
    const memory = {
      hourFileMb: hourMb,
      peakRssMbHour: await replayRss(hour),
      peakRssMbTenSeconds: await replayRss(live),
    };
    console.log(
      `peak RSS of tickstock run replaying for ${MEMORY_SECONDS} s: ${memory.peakRssMbHour.toFixed(0)} MB from the 1-hour file, ${memory.peakRssMbTenSeconds.toFixed(0)} MB from the 10 s one`,
    );

    // The replay alone: the consumer stopped, the replay's code in this process (as `run` runs it), so
    // the generator keeps up and the figure is its timing, not the shared cores'.
    consumer.child.kill('SIGINT');
    await consumer.exited;
    console.log('\nreplayed at speed 1 with the consumer stopped: the replay alone into Redis');
    const alone: Fidelity[] = [];
    const aloneFloors: Fidelity[] = [];
    const aloneLate: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const out = join(registry.dir, `alone-${i}.ndjson`);
      let lateP99 = 0;
      const got = await recorded(redisUrl, out, async () => {
        const pub = new Redis(redisUrl);
        const source = replaySource(
          {
            redis: pub,
            recorder: undefined,
            clock: systemClock,
            logger: pino({ level: 'error' }),
            random: seededRandom(1),
          },
          { path: live, speed: 1, loop: false, freshIds: false, seconds: undefined },
        );
        lateP99 = (await source.run(() => undefined)).lateness.p99;
        pub.disconnect();
      });
      alone.push(fidelity(want, got, 1));
      aloneLate.push(lateP99);
      const floorOut = join(registry.dir, `alone-floor-${i}.ndjson`);
      aloneFloors.push(
        fidelity(want, await recorded(redisUrl, floorOut, () => bareReplay(redisUrl, want, 1)), 1),
      );
      console.log(
        `  bytes ${alone.at(-1)!.bytesMatch ? 'identical' : 'DIFFER'} · inter-arrival error p50 ${formatMs(alone.at(-1)!.interArrivalError.p50)} p99 ${formatMs(alone.at(-1)!.interArrivalError.p99)} (floor: a bare timer, p99 ${formatMs(aloneFloors.at(-1)!.interArrivalError.p99)}) · replay late p99 ${formatMs(lateP99)} · load ${loadavg()[0]!.toFixed(2)}`,
      );
    }
    const aloneMedians = {
      interArrivalP99: median(alone.map((f) => f.interArrivalError.p99)),
      floorInterArrivalP99: median(aloneFloors.map((f) => f.interArrivalError.p99)),
      latenessP99: median(aloneLate),
    };
    console.log(
      `  median of ${repeat}: inter-arrival error p99 ${formatMs(aloneMedians.interArrivalP99)} (floor p99 ${formatMs(aloneMedians.floorInterArrivalP99)}), replay late p99 ${formatMs(aloneMedians.latenessP99)}`,
    );
    results['speed1Alone'] = { medians: aloneMedians, runs: alone, floors: aloneFloors };

    await writeFile(
      'reports/bench-replay.json',
      `${JSON.stringify({ bench: 'replay', rate: RATE, seconds: SECONDS, repeat, results, memory }, null, 2)}\n`,
    );
    console.log('\nreport: reports/bench-replay.json');
  } finally {
    consumer.child.kill('SIGINT');
    await consumer.exited;
  }
});
