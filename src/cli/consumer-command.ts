import type { HarnessConfig } from '../config/load-config.ts';
import { createCliLogger } from '../shared/logger.ts';
import type { ClusterTarget } from '../services/cluster-target.ts';
import { pubSubTarget } from './cli-redis.ts';
import { requireUrl } from './cli-urls.ts';
import { failOnUnwritten, runConsumer } from './run-consumer.ts';
import { untilStopSignal } from './signals.ts';

/** After the bounded close, how long the process may take to end by itself. */
const EXIT_GRACE_MS = 500;

export interface ConsumerFlags {
  readonly redisUrl?: string;
  readonly redisCluster?: ClusterTarget;
  readonly databaseUrl?: string;
  readonly port?: number;
}

/** `tickstock consumer`: the reference consumer until SIGINT/SIGTERM. */
export async function consumerCommand(config: HarnessConfig, flags: ConsumerFlags): Promise<void> {
  // Listening before the ready line: a signal sent on seeing it must find the listener in place.
  const stopSignal = untilStopSignal();
  // Started by another process over IPC (`run --start reference`): it stops when that one goes.
  const parentGone = new Promise<string>((resolve) => {
    if (process.connected) process.once('disconnect', () => resolve('its parent ended'));
  });
  const logger = createCliLogger(config.logLevel);
  const { redisUrl, cluster } = pubSubTarget(flags, config.services);
  // Checkpoint rows need a database; so does error storage, which runs whenever one is given.
  const databaseUrl = config.tracking.enabled
    ? requireUrl(flags.databaseUrl, config.services.postgresUrl, 'DATABASE_URL', '--database-url')
    : (flags.databaseUrl ?? config.services.postgresUrl);
  const port = flags.port ?? config.consumer.port;
  const running = await runConsumer(config, { redisUrl, redisCluster: cluster, databaseUrl }, logger, port);
  const pubsub = cluster === undefined ? '' : `, sharded pub-sub on ${cluster.nodes.length} cluster nodes`;
  console.log(
    `consumer: http://${running.address.address}:${running.address.port} (tracking ${config.tracking.enabled ? 'on' : 'off: log lines only'}${pubsub}); Ctrl+C stops`,
  );
  const reason = await Promise.race([stopSignal, parentGone]);
  console.log(`${reason}: draining and closing`);
  try {
    failOnUnwritten(await running.close(), {
      errors: config.errors.spillPath,
      checkpoints: config.tracking,
    });
  } finally {
    // Closing is bounded, but a connection hung on a frozen server would keep the process alive.
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  }
}
