import type { HarnessConfig } from '../config/load-config.ts';
import { redactUrl } from '../services/redact-url.ts';
import { probeRedis } from '../services/service-probe.ts';
import { systemClock } from '../shared/clock.ts';
import { createCliLogger } from '../shared/logger.ts';
import { createRecordingWriter } from '../sim/recording-file.ts';
import { recordTraffic } from '../sim/traffic-recorder.ts';
import { connectRedis } from './cli-redis.ts';
import { requireUrl } from './cli-urls.ts';
import { untilStopSignal } from './signals.ts';
import { createStatusLine } from './status-line.ts';

export interface RecordFlags {
  readonly redisUrl?: string;
  readonly channels: readonly string[];
  readonly duration?: number;
  readonly out: string;
  readonly redact: readonly string[];
}

const byChannel = (counts: Readonly<Record<string, number>>): string =>
  Object.entries(counts)
    .map(([channel, n]) => `${channel} ${n}`)
    .join(', ') || 'nothing yet';

/**
 * `tickstock record`: what Redis delivers on the channel patterns, bytes as received, with arrival
 * times, into an NDJSON recording (gzip for .gz) that `run --replay` and `validate` read. Ends after
 * --duration or at Ctrl+C, with the file closed cleanly either way.
 */
export async function recordCommand(config: HarnessConfig, flags: RecordFlags): Promise<void> {
  const stopSignal = untilStopSignal(); // listening before anything is printed
  const redisUrl = requireUrl(flags.redisUrl, config.services.redisUrl, 'REDIS_URL', '--redis-url');
  await probeRedis(redisUrl);
  const status = createStatusLine();
  const logger = createCliLogger(config.logLevel, status.logStream());
  const startedAt = new Date();
  const writer = await createRecordingWriter(flags.out, {
    started_at: startedAt.toISOString(),
    source: redactUrl(redisUrl), // a recording is shared; passwords are not
    channels: [...flags.channels],
    redacted: [...flags.redact],
  });
  const redis = connectRedis(redisUrl, logger);
  const recorder = await recordTraffic(
    { redis, clock: systemClock, writer },
    { patterns: flags.channels, redact: flags.redact },
  );
  console.log(
    `tickstock record: ${flags.channels.join(', ')} → ${flags.out}${flags.duration === undefined ? ' until Ctrl+C' : ` for ${flags.duration} s`}${flags.redact.length > 0 ? `; blanking ${flags.redact.join(', ')}` : ''}`,
  );
  let last = 0;
  const progress = setInterval(() => {
    const n = writer.count();
    status.update(`recorded ${n} · ${n - last}/s · ${byChannel(writer.counts())}`);
    last = n;
  }, 1000);
  try {
    const ended = await Promise.race([
      stopSignal,
      ...(flags.duration === undefined
        ? []
        : [
            new Promise<'duration'>((resolve) =>
              systemClock.after(flags.duration! * 1000, () => resolve('duration')),
            ),
          ]),
    ]);
    if (ended !== 'duration') status.print(`${ended}: closing the recording`);
    await recorder.stop();
  } finally {
    clearInterval(progress);
    redis.disconnect();
    await writer.close(systemClock.now() - recorder.startedAt, new Date());
    status.done();
  }
  console.log(
    `recorded ${writer.count()} messages (${byChannel(writer.counts())})${recorder.redacted() > 0 ? `, ${recorder.redacted()} with fields blanked` : ''} → ${flags.out}`,
  );
}
