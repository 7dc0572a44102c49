import type { HarnessConfig } from '../config/load-config.ts';
import type { Unwritten } from '../consumer/compose-consumer.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { createCliLogger } from '../shared/logger.ts';
import { requireUrl } from './cli-urls.ts';
import { runConsumer } from './run-consumer.ts';
import { untilStopSignal } from './signals.ts';

/** Exit 1 when the consumer took rows it could not write: a run that lost data did not succeed. */
function failOnUnwritten(unwritten: Unwritten, spillPath: string): void {
  if (unwritten.checkpoints === 0 && unwritten.errors === 0) return;
  throw new HarnessError(
    'CONSUMER_ROWS_UNWRITTEN',
    `Closed with ${unwritten.checkpoints} checkpoints not written and ${unwritten.errors} errors not stored.`,
    `The database was away or refused rows (see the log above); errors kept in ${spillPath} are written at the next start.`,
    { exitCode: ExitCode.problems },
  );
}

/** `tickstock consumer`: the reference consumer until SIGINT/SIGTERM. */
export async function consumerCommand(
  config: HarnessConfig,
  flags: { redisUrl?: string; databaseUrl?: string; port?: number },
): Promise<void> {
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
  const signal = await untilStopSignal();
  console.log(`${signal}: draining and closing`);
  failOnUnwritten(await running.close(), config.errors.spillPath);
}
