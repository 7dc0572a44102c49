import type { HarnessConfig } from '../config/load-config.ts';
import { createCliLogger } from '../shared/logger.ts';
import { requireUrl } from './cli-urls.ts';
import { failOnUnwritten, runConsumer } from './run-consumer.ts';
import { untilStopSignal } from './signals.ts';

/** `tickstock consumer`: the reference consumer until SIGINT/SIGTERM. */
export async function consumerCommand(
  config: HarnessConfig,
  flags: { redisUrl?: string; databaseUrl?: string; port?: number },
): Promise<void> {
  // Listening before the ready line: a signal sent on seeing it must find the listener in place.
  const stopSignal = untilStopSignal();
  // Started by another process over IPC (`run --start reference`): it stops when that one goes.
  const parentGone = new Promise<string>((resolve) => {
    if (process.connected) process.once('disconnect', () => resolve('its parent ended'));
  });
  const logger = createCliLogger(config.logLevel);
  const redisUrl = requireUrl(flags.redisUrl, config.services.redisUrl, 'REDIS_URL', '--redis-url');
  // Checkpoint rows need a database; so does error storage, which runs whenever one is given.
  const databaseUrl = config.tracking.enabled
    ? requireUrl(flags.databaseUrl, config.services.postgresUrl, 'DATABASE_URL', '--database-url')
    : (flags.databaseUrl ?? config.services.postgresUrl);
  const port = flags.port ?? config.consumer.port;
  const running = await runConsumer(config, { redisUrl, databaseUrl }, logger, port);
  console.log(
    `consumer: http://${running.address.address}:${running.address.port} (tracking ${config.tracking.enabled ? 'on' : 'off: log lines only'}); Ctrl+C stops`,
  );
  const reason = await Promise.race([stopSignal, parentGone]);
  console.log(`${reason}: draining and closing`);
  failOnUnwritten(await running.close(), config.errors.spillPath);
}
