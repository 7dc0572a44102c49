import { Type, type Static } from '@sinclair/typebox';

const Rate = Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000, description: 'per second' });
const Seconds = Type.Number({ exclusiveMinimum: 0, maximum: 604_800, description: 'seconds' });
const Count = Type.Integer({ minimum: 1, maximum: 1_000_000 });
const Path = Type.String({ minLength: 1, description: 'dotted path into the payload, e.g. data.flow_id' });

/** One stage of a run's load: `seconds` long, open-loop arrivals at the intended times. */
export const RunStage = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('steady'),
      Type.Literal('ramp'),
      Type.Literal('burst'),
      Type.Literal('soak'),
    ]),
    seconds: Seconds,
    rate: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1_000_000,
      description: 'per second (ramp: the end rate; burst: the rate between bursts)',
    }),
    from: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'ramp: the start rate (default: the previous stage\'s)' })),
    burst_rate: Type.Optional(Rate),
    burst_seconds: Type.Optional(Seconds),
    burst_every: Type.Optional(Seconds),
  },
  { additionalProperties: false },
);

const SocketTarget = {
  namespace: Type.String({ pattern: '^/', description: 'Socket.IO namespace, e.g. /' }),
  event: Type.String({ minLength: 1 }),
};

/** A consumer profile written in a scenario file: a known one, changed where the consumer differs. */
export const ProfileSpec = Type.Object(
  {
    extends: Type.Optional(Type.String({ description: 'a known profile to start from (default: spec)' })),
    about: Type.Optional(Type.String()),
    patterns: Type.Optional(
      Type.Object(
        {
          namespace: Type.Optional(SocketTarget.namespace),
          event: Type.Optional(SocketTarget.event),
          flow_id_path: Type.Optional(Path),
          sent_at_path: Type.Optional(Path),
        },
        { additionalProperties: false },
      ),
    ),
    errors: Type.Optional(
      Type.Union([
        Type.Object(
          { ...SocketTarget, id_path: Type.Optional(Path) },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
    error_shape: Type.Optional(Type.Union([Type.Literal('spec004'), Type.Literal('source-message')])),
    backtest_shape: Type.Optional(Type.Union([Type.Literal('nested'), Type.Literal('top-level')])),
    checkpoints: Type.Optional(Type.Array(Type.String())),
    error_store: Type.Optional(
      Type.Union([
        Type.Object(
          {
            table: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.]*$' }),
            column: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
            match: Type.Union([Type.Literal('equals'), Type.Literal('contains')], {
              description: "equals: the column holds the error_id; contains: the message, which a run's errors end with their id",
            }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
    page: Type.Optional(
      Type.Union([
        Type.Object(
          {
            path: Type.String({ pattern: '^/', description: "the UI's page on the consumer's origin, e.g. /" }),
            error_selector: Type.String({
              minLength: 1,
              description: "CSS selector of one rendered error; its text holds the error's id",
            }),
            ready_selector: Type.Optional(
              Type.String({ minLength: 1, description: 'CSS selector present once the page is live' }),
            ),
            token_hash_key: Type.Optional(
              Type.String({ minLength: 1, description: "the page reads --token from the URL's #key=…" }),
            ),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
);

/**
 * A `tickstock run` scenario file (YAML or JSON, docs/run.md). Every field has a flag; a flag given
 * on the command line wins over the file.
 */
export const RunScenario = Type.Object(
  {
    profile: Type.Optional(Type.String({ description: 'spec, tickstockappv2, or one under profiles' })),
    profiles: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_-]*$' }), ProfileSpec)),
    target: Type.Optional(
      Type.Object(
        {
          redis_url: Type.Optional(Type.String()),
          database_url: Type.Optional(Type.String()),
          db: Type.Optional(Type.Boolean({ description: 'false: record nothing in PostgreSQL' })),
          socketio_url: Type.Optional(Type.String()),
          socketio_path: Type.Optional(Type.String({ pattern: '^/' })),
          headers: Type.Optional(
            Type.Record(Type.String(), Type.String(), {
              description:
                "extra HTTP headers on every Socket.IO client's handshake (e.g. Authorization); names are printed, values never",
            }),
          ),
          start: Type.Optional(Type.Literal('reference')),
          allow_faults: Type.Optional(
            Type.Boolean({
              description:
                'let net: faults act on the links of a consumer this run did not start (clients, and those in link_ports)',
            }),
          ),
          link_ports: Type.Optional(
            Type.Object(
              {
                redis: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535 })),
                postgres: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535 })),
              },
              {
                additionalProperties: false,
                description:
                  "ports on 127.0.0.1 where the run proxies to redis_url / database_url; a consumer the run did not start connects through them, so net: faults can act on its Redis and PostgreSQL links",
              },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    load: Type.Optional(
      Type.Object(
        {
          rate: Type.Optional(Rate),
          duration: Type.Optional(Seconds),
          stages: Type.Optional(Type.Array(RunStage, { minItems: 1, maxItems: 1000 })),
          seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
          warmup: Type.Optional(Type.Number({ minimum: 0, maximum: 604_800 })),
          grace: Type.Optional(Seconds),
          replay: Type.Optional(
            Type.Object(
              {
                file: Type.String({ minLength: 1, description: 'a recording (tickstock record, sim --export)' }),
                speed: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, description: '2: twice as fast' })),
                loop: Type.Optional(Type.Boolean({ description: 'start again at the end, until load.duration' })),
                fresh_ids: Type.Optional(
                  Type.Boolean({ description: 'new flow and error ids (and timestamps), so replays never merge' }),
                ),
              },
              { additionalProperties: false, description: 'the load is a recording, replayed at its own times' },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    mix: Type.Optional(
      Type.Object(
        {
          errors: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000, description: 'per second' })),
          error_severities: Type.Optional(
            Type.String({ description: 'weights, e.g. warning:4,error:3,critical:1' }),
          ),
          heartbeat: Type.Optional(Seconds),
          backtest: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })),
          health: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })),
          malformed: Type.Optional(
            Type.Number({ minimum: 0, maximum: 1, description: 'share of pattern messages' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    clients: Type.Optional(
      Type.Object(
        {
          socketio: Type.Optional(Count),
          workers: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
          browsers: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 50, description: "headless pages of the consumer's UI" }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    thresholds: Type.Optional(Type.Array(Type.String())),
    faults: Type.Optional(
      Type.Array(Type.String({ minLength: 1, description: "as --fault writes one, e.g. 'at=10s redis:restart'" }), {
        maxItems: 100,
      }),
    ),
    outputs: Type.Optional(
      Type.Object(
        {
          json: Type.Optional(Type.String({ minLength: 1 })),
          junit: Type.Optional(Type.String({ minLength: 1 })),
          html: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    baseline: Type.Optional(
      Type.Object(
        {
          file: Type.Optional(
            Type.String({ minLength: 1, description: "an earlier run's JSON report (--out json=FILE) to compare with" }),
          ),
          tolerance_pct: Type.Optional(
            Type.Number({ minimum: 0, maximum: 1000, description: 'how much worse than the baseline a figure may be, in % (default 10)' }),
          ),
          tolerance_ms: Type.Optional(
            Type.Number({ minimum: 0, maximum: 60_000, description: 'latencies: how many ms worse they may be too (default 1)' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'RunScenario', title: 'tickstock run scenario', additionalProperties: false },
);

export type RunScenario = Static<typeof RunScenario>;
export type RunStage = Static<typeof RunStage>;
export type ProfileSpec = Static<typeof ProfileSpec>;
