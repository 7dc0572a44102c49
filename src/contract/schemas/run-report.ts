import { Type, type Static } from '@sinclair/typebox';
import { LatencyReport } from './latency-report.ts';
import { RunStage } from './run-scenario.ts';

const Ms = Type.Number({ minimum: 0, description: 'milliseconds' });
const Count = Type.Integer({ minimum: 0 });

const Latency = LatencyReport;

/** What `tickstock run --out json=FILE` writes (docs/run.md): CI jobs read these names. */
/** Present (true) on a lost error whose PUBLISH reached no subscriber: lost to pub-sub, not by a consumer. */
const Unheard = Type.Optional(Type.Literal(true));

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
    // Optional, as is `baseline`: a report written before they existed still serves as a baseline.
    load: Type.Optional(
      Type.Object(
        {
          stages: Type.Array(RunStage, { description: "the load's stages, as a scenario file writes them" }),
          warmup_seconds: Type.Number({ minimum: 0 }),
          replay: Type.Optional(
            Type.Object(
              { file: Type.String(), speed: Type.Number(), loop: Type.Boolean(), fresh_ids: Type.Boolean() },
              { additionalProperties: false, description: 'the recording replayed (stages: empty)' },
            ),
          ),
        },
        { additionalProperties: false, description: 'the load the run was given, so a baseline can tell a run of another shape' },
      ),
    ),
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
                { error_id: Type.String(), severity: Type.String(), clients_received: Count, unheard: Unheard },
                { additionalProperties: false },
              ),
            ),
            to_store: Type.Union([Count, Type.Null()], {
              description: 'errors it should have stored (error, critical); null: not checked',
            }),
            not_stored: Type.Array(
              Type.Object(
                { error_id: Type.String(), severity: Type.String(), unheard: Unheard },
                { additionalProperties: false },
              ),
            ),
            // Optional, as every field added to tickstock-run/1: earlier reports stay valid baselines.
            unheard: Type.Optional(
              Type.Integer({
                minimum: 0,
                description:
                  'errors whose PUBLISH reached no subscriber: lost to pub-sub (at most once), not by a consumer',
              }),
            ),
            not_rendered: Type.Optional(
              Type.Array(
              Type.Object(
                {
                  error_id: Type.String(),
                  severity: Type.String(),
                  pages_missed: Type.Array(Count, { description: 'the pages (from 0) that never rendered it' }),
                },
                { additionalProperties: false },
              ),
              { description: "errors to be shown that some page of the consumer's UI never rendered (--browsers)" },
            ),
            ),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: "the mix's errors, judged by spec 004's routing; null: the run sent none" },
    ),
    browsers: Type.Optional(
      Type.Union(
      [
        Type.Object(
          {
            pages: Count,
            url: Type.String({ description: 'the page opened (without the token)' }),
            to_render: Type.Integer({ minimum: 0, description: 'errors each page should render (warning and up)' }),
            error_to_page: Latency,
            per_page: Type.Array(
              Type.Object(
                {
                  shown: Count,
                  not_shown: Count,
                  console_errors: Type.Integer({ minimum: 0, description: 'console.error calls in the page' }),
                  page_errors: Type.Integer({ minimum: 0, description: 'uncaught exceptions and crashes' }),
                  problems: Type.Array(Type.String(), { description: 'the first of those, as the page said them' }),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      {
        description:
          "headless pages of the consumer's UI (--browsers): when each error was rendered; null: no pages",
      },
    ),
    ),
    faults: Type.Optional(
      Type.Array(
        Type.Object(
          {
            label: Type.String({ description: 'as thresholds name it: recovery.LABEL, lost.LABEL' }),
            kind: Type.String({ description: 'e.g. redis:restart' }),
            spec: Type.String({ description: 'as scheduled (--fault or the scenario)' }),
            at_ms: Ms,
            started_ms: Type.Union([Type.Number(), Type.Null()], {
              description: 'ms from the load start; null: the load ended before it was due',
            }),
            ended_ms: Type.Union([Type.Number(), Type.Null()], { description: 'ms from the load start' }),
            sent: Type.Integer({ minimum: 0, description: 'flows sent from its start until its recovery' }),
            delivered: Type.Integer({ minimum: 0, description: 'of those, received by every client' }),
            lost: Type.Array(Type.String(), { description: 'the lost flow ids (the first 1,000)' }),
            lost_count: Type.Integer({ minimum: 0 }),
            errors_sent: Type.Integer({ minimum: 0 }),
            errors_lost: Type.Array(Type.String(), {
              description: 'error ids sent in its window not shown to every client or not stored',
            }),
            errors_unheard: Type.Optional(
              Type.Integer({ minimum: 0, description: 'of errors_lost, those published to no subscriber' }),
            ),
            recovery_ms: Type.Union([Type.Number(), Type.Null()], {
              description:
                "its end → the first receipt of a flow sent after it; null: none arrived (or it never ended)",
            }),
            failed: Type.Optional(Type.String({ description: 'it could not be injected: why' })),
          },
          { additionalProperties: false },
        ),
        { description: 'each scheduled fault (--fault): what it cost and how long recovery took' },
      ),
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
    baseline: Type.Optional(
      Type.Object(
        {
          file: Type.String({ description: 'the earlier run report compared against' }),
          tolerance: Type.Object(
            {
              relative_pct: Type.Number({ minimum: 0, description: 'how much worse than the baseline a figure may be, in %' }),
              latency_ms: Type.Number({ minimum: 0, description: 'latencies: how many ms worse it may be too' }),
            },
            { additionalProperties: false },
          ),
          load_differs: Type.Array(Type.String(), {
            description: "how the baseline's run differs in shape (profile, clients, load); empty: the same",
          }),
          comparisons: Type.Array(
            Type.Object(
              {
                metric: Type.String({ description: 'named as thresholds name it, e.g. publish_to_client.p99' }),
                baseline: Type.Number(),
                current: Type.Number(),
                change_pct: Type.Union([Type.Number(), Type.Null()], { description: 'null: the baseline was 0 and this run is not' }),
                regressed: Type.Boolean(),
              },
              { additionalProperties: false },
            ),
          ),
          regressed: Type.Integer({ minimum: 0, description: 'comparisons that regressed; any fails the verdict' }),
        },
        { additionalProperties: false },
      ),
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
    // Optional, as `load` is: a report written before they existed still serves as a baseline.
    timeline: Type.Optional(
      Type.Array(
        Type.Object(
          {
            second: Count,
            sent: Count,
            delivered: Type.Integer({ minimum: 0, description: "this second's flows every client received" }),
            receipts: Type.Integer({ minimum: 0, description: "receipts of this second's flows, all clients" }),
            p50_ms: Type.Union([Ms, Type.Null()], { description: 'publish→client; null: nothing received' }),
            p99_ms: Type.Union([Ms, Type.Null()]),
          },
          { additionalProperties: false },
        ),
        {
          description:
            "the measured load second by second of intended send time (second 0 starts at the first flow's), merged from every worker's per-second HDR histograms",
        },
      ),
    ),
    histogram: Type.Optional(
      Type.Object(
        {
          publish_to_client: Type.Array(
            Type.Object({ from_ms: Ms, to_ms: Ms, count: Count }, { additionalProperties: false }),
            {
              description:
                'receipts with from_ms ≤ latency < to_ms, log-spaced (1, 2, 5 a decade), the first to the last non-empty bucket',
            },
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'RunReport', title: 'tickstock run report', additionalProperties: false },
);

export type RunReport = Static<typeof RunReport>;
export type { LatencyReport };
