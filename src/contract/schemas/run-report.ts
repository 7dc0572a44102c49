import { Type, type Static } from '@sinclair/typebox';

const Ms = Type.Number({ minimum: 0, description: 'milliseconds' });
const Count = Type.Integer({ minimum: 0 });

const Latency = Type.Object(
  { count: Count, p50: Ms, p90: Ms, p99: Ms, p999: Ms, max: Ms },
  { additionalProperties: false },
);

/** What `tickstock run --out json=FILE` writes (docs/run.md): CI jobs read these names. */
export const RunReport = Type.Object(
  {
    schema: Type.Literal('tickstock-run/1'),
    verdict: Type.Union([Type.Literal('pass'), Type.Literal('fail')]),
    started_at: Type.String({
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$',
      description: 'ISO 8601, UTC',
    }),
    elapsed_ms: Count,
    profile: Type.String(),
    clients: Count,
    thresholds: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          expr: Type.String(),
          value: Type.Union([Type.Number(), Type.Null()], { description: 'null: the run could not measure it' }),
          ok: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
    latency_ms: Type.Object({ publish_to_client: Latency }, { additionalProperties: false }),
    delivery: Type.Object(
      {
        sent: Count,
        received_min: Count,
        received_max: Count,
        foreign: Type.Integer({ minimum: 0, description: 'receipts of flows this run did not send' }),
        unreadable: Type.Integer({
          minimum: 0,
          description: 'payloads without a flow id or publish time where the profile looks',
        }),
      },
      { additionalProperties: false },
    ),
    lost: Type.Array(
      Type.Object(
        {
          flow_id: Type.String(),
          clients_received: Count,
          last_checkpoint: Type.Optional(
            Type.Union([Type.String(), Type.Null()], {
              description: 'where the flow stopped (checkpoints read back); null: it has none',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { description: 'flows some client never received within the grace period (the first 1,000)' },
    ),
    warmup: Type.Union(
      [
        Type.Object(
          { seconds: Type.Number({ minimum: 0 }), sent: Count, publish_to_client: Latency },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'load before the measured window (--warmup), timed apart and never judged' },
    ),
    checkpoints: Type.Union(
      [
        Type.Object(
          {
            recorded: Type.Literal(true),
            chain: Type.Array(Type.String(), { description: 'the checkpoints of a complete flow' }),
            complete: Count,
            incomplete_count: Count,
            hops: Type.Array(
              Type.Object(
                { from: Type.String(), to: Type.String(), latency_ms: Latency },
                { additionalProperties: false },
              ),
            ),
            incomplete: Type.Array(
              Type.Object(
                { flow_id: Type.String(), last_checkpoint: Type.Union([Type.String(), Type.Null()]) },
                { additionalProperties: false },
              ),
              { description: 'flows short of the chain (the first 1,000), with where each stopped' },
            ),
          },
          { additionalProperties: false },
        ),
        Type.Object(
          { recorded: Type.Literal(false), reason: Type.String() },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'the flow ledger from PostgreSQL; null: not read (no PostgreSQL given)' },
    ),
    errors: Type.Union(
      [
        Type.Object(
          {
            sent: Count,
            generator_lateness_ms_p99: Type.Union([Ms, Type.Null()]),
            to_show: Type.Union([Count, Type.Null()], {
              description: 'errors every client should be shown (warning and up); null: this consumer shows none',
            }),
            error_to_client: Latency,
            not_shown: Type.Array(
              Type.Object(
                { error_id: Type.String(), severity: Type.String(), clients_received: Count },
                { additionalProperties: false },
              ),
            ),
            to_store: Type.Union([Count, Type.Null()], {
              description: 'errors it should have stored (error, critical); null: not checked',
            }),
            not_stored: Type.Array(
              Type.Object({ error_id: Type.String(), severity: Type.String() }, { additionalProperties: false }),
            ),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: "the mix's errors, judged by spec 004's routing; null: the run sent none" },
    ),
    floor: Type.Union(
      [
        Type.Object(
          {
            rate: Type.Number({ minimum: 0 }),
            seconds: Type.Number({ minimum: 0 }),
            publish_to_client: Latency,
            generator_lateness_ms_p99: Ms,
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      {
        description:
          "this machine's floor (--floor): the same clients through a bare Redis→Socket.IO relay; null: not measured",
      },
    ),
    generator: Type.Object(
      {
        lateness_ms_p99: Ms,
        lateness_ms_max: Ms,
        malformed_sent: Type.Integer({ minimum: 0, description: 'pattern messages sent malformed (mix)' }),
        aux_sent: Type.Integer({ minimum: 0, description: 'backtest and health messages (mix)' }),
        errors_sent: Type.Integer({ minimum: 0, description: 'error messages on tickstock:errors (mix)' }),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'RunReport', title: 'tickstock run report', additionalProperties: false },
);

export type RunReport = Static<typeof RunReport>;
export type LatencyReport = Static<typeof Latency>;
