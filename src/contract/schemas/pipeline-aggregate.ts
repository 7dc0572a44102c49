import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Count = Type.Integer({ minimum: 0 });
const Ms = Type.Union([Type.Number(), Type.Null()]);
const Seconds = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
/** A part read from PostgreSQL or Redis: null when it could not be read this second (see `unavailable`). */
const Readable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Violation = Type.Object({
  path: Type.String(),
  code: Type.String(),
  hint: Type.Optional(Type.String()),
});

const IncompleteFlowRow = Type.Object({
  flowId: Type.String(),
  symbol: Type.Union([Type.String(), Type.Null()]),
  pattern: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.String({ description: 'ISO 8601' }),
  lastCheckpoint: Type.Union([Type.String(), Type.Null()], { description: 'Where the flow stopped' }),
  missing: Type.String({ description: 'The first checkpoint of spec 000 it lacks' }),
  diagnosis: Type.String({ description: "Spec 000's troubleshooting reading" }),
});

const RejectedRow = Type.Object({
  at: Type.String({ description: 'ISO 8601' }),
  flowId: Type.Union([Type.String(), Type.Null()]),
  violations: Type.Array(Violation),
});

const HopRow = Type.Object({ hop: Type.String(), count: Count, p50: Ms, p99: Ms });

/** What the stores say (PostgreSQL's checkpoints, Redis's heartbeat key and subscriber counts). */
export const StoredFigures = Type.Object({
  windowSeconds: Type.Integer({
    minimum: 0,
    description: 'Flows, rejections and hops: started this recently (0: nothing read)',
  }),
  settleSeconds: Type.Number({ minimum: 0, description: 'Younger flows are not judged yet' }),
  flowsReadAt: Readable(
    Type.String({
      description:
        'ISO 8601: when flows, incomplete and hops were read. That read may take at most 1 % of the time, so under load they are up to 5 s older than `at`',
    }),
  ),
  flows: Readable(Type.Object({ complete: Count, incomplete: Count })),
  incomplete: Readable(Type.Array(IncompleteFlowRow)),
  rejected: Readable(Type.Array(RejectedRow)),
  hops: Readable(Type.Array(HopRow)),
  producer: Readable(
    Type.Object({
      keyAgeSeconds: Seconds('Age of tickstock:producer:heartbeat (Redis); null: never set'),
      aliveAgeSeconds: Seconds('Age of the last PRODUCER_ALIVE checkpoint; null: none'),
    }),
  ),
  consumerAliveAgeSeconds: Readable(Seconds('Age of the last SUBSCRIBER_ALIVE checkpoint; null: none')),
  subscribers: Readable(Type.Array(Type.Object({ channel: Type.String(), subscribers: Count }))),
  unavailable: Type.Array(
    Type.Object({ part: Type.String(), reason: Type.String() }),
    { description: 'Parts not read this second, and why (PostgreSQL slow or down, say)' },
  ),
});

/**
 * Pushed once a second on `/monitoring` to every dashboard: the pipeline's figures from one place
 * (the consumer's counters, and the checkpoints and heartbeats `tickstock monitor` reads).
 */
export const PipelineAggregate = Type.Composite(
  [
    Type.Object({
      at: Type.String({ description: 'ISO 8601' }),
      rates: Type.Object({
        seconds: Type.Integer({ minimum: 0, description: 'Over how many seconds' }),
        receivedPerSecond: Type.Number({ minimum: 0 }),
        deliveredPerSecond: Type.Number({ minimum: 0 }),
      }),
      consumer: Type.Object({
        connectionErrors: Count,
        reconnections: Count,
        writerBacklog: Count,
        writerDropped: Count,
        writerRefused: Count,
      }),
    }),
    StoredFigures,
  ],
  { $id: 'PipelineAggregate', title: 'Pipeline aggregate (dashboard)' },
);

export type StoredFigures = Static<typeof StoredFigures>;
export type PipelineAggregate = Static<typeof PipelineAggregate>;
