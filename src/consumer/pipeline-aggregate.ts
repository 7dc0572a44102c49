import type { PipelineAggregate, StoredFigures } from '../contract/schemas/pipeline-aggregate.ts';
import type { TimerClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { CheckpointSink } from '../tracking/checkpoint-record.ts';
import type { ConsumerStats } from './consumer-stats.ts';

/** What the stores say each second (src/analysis/pipeline-reads.ts); `close` releases its connections. */
export interface PipelineReads {
  read(): Promise<StoredFigures>;
  close(): void;
}

/** Events in and out are rates over this many seconds. */
const RATE_SECONDS = 10;

const WITHOUT_STORES: StoredFigures = {
  windowSeconds: 0,
  settleSeconds: 0,
  flowsReadAt: null,
  flows: null,
  incomplete: null,
  rejected: null,
  hops: null,
  producer: null,
  consumerAliveAgeSeconds: null,
  subscribers: null,
  unavailable: [{ part: 'stores', reason: 'the consumer runs without a database (no DATABASE_URL)' }],
};

interface Sample {
  readonly at: number;
  readonly received: number;
  readonly delivered: number;
}

/**
 * The dashboard's figures from one place, pushed once a second to every dashboard: one read of the
 * stores whatever the number of browsers, none while no dashboard is connected, and never two at once.
 */
export function startPipelineAggregate(
  deps: {
    stats: ConsumerStats;
    sink: CheckpointSink;
    clock: TimerClock;
    logger: Logger;
    reads: PipelineReads | undefined;
    /** How many dashboards are connected. */
    listeners: () => number;
    emit: (aggregate: PipelineAggregate) => void;
  },
  intervalMs = 1000,
): { stop(): void } {
  const { stats, sink, clock } = deps;
  const samples: Sample[] = [];
  let reading = false;
  let stopped = false;
  let cancel: (() => void) | undefined;

  const rates = (): PipelineAggregate['rates'] => {
    const first = samples[0];
    const last = samples.at(-1);
    const seconds = first === undefined || last === undefined ? 0 : (last.at - first.at) / 1000;
    const per = (n: number) => (seconds > 0 ? n / seconds : 0);
    return {
      seconds: Math.round(seconds),
      receivedPerSecond: per((last?.received ?? 0) - (first?.received ?? 0)),
      deliveredPerSecond: per((last?.delivered ?? 0) - (first?.delivered ?? 0)),
    };
  };

  const push = async (): Promise<void> => {
    reading = true;
    try {
      const stored = deps.reads === undefined ? WITHOUT_STORES : await deps.reads.read();
      const writer = sink.stats();
      if (stopped) return;
      deps.emit({
        at: new Date(clock.now()).toISOString(),
        rates: rates(),
        consumer: {
          connectionErrors: stats.connectionErrors,
          reconnections: stats.reconnections,
          writerBacklog: writer.buffered,
          writerDropped: writer.dropped,
          writerRefused: writer.refused,
        },
        ...stored,
      });
    } finally {
      reading = false;
    }
  };

  const sample = (): void => {
    samples.push({ at: clock.now(), received: stats.eventsReceived, delivered: stats.eventsForwarded });
    if (samples.length > RATE_SECONDS + 1) samples.shift();
  };
  // From the start: events of the consumer's first second count in its rates too.
  sample();

  const tick = (): void => {
    sample();
    if (!reading && deps.listeners() > 0)
      push().catch((error: Error) => deps.logger.warn({ err: error.message }, 'pipeline aggregate not sent'));
    if (!stopped) cancel = clock.after(intervalMs, tick);
  };
  cancel = clock.after(intervalMs, tick);
  return {
    stop() {
      stopped = true;
      cancel?.();
      deps.reads?.close();
    },
  };
}
