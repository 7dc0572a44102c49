import { Type, type Static } from '@sinclair/typebox';
import { LatencyReport } from './latency-report.ts';

const Count = Type.Integer({ minimum: 0 });
const CountOf = (description: string) => Type.Integer({ minimum: 0, description });

/** What `tickstock sim --out json=FILE` writes (docs/operations.md): the generator's own figures. */
export const SimReport = Type.Object(
  {
    schema: Type.Literal('tickstock-sim/1'),
    seed: Count,
    profile: Type.String(),
    scenario: Type.String(),
    sent: Type.Integer({ minimum: 0, description: 'pattern events published' }),
    malformed: Count,
    aux_sent: Type.Integer({ minimum: 0, description: 'backtest and health messages' }),
    recorded: Type.Integer({ minimum: 0, description: 'PATTERN_PUBLISHED rows written' }),
    db_failures: CountOf('PATTERN_PUBLISHED not recorded (refused, or timed out); published anyway'),
    // Optional: earlier reports stay valid.
    record_timeouts: Type.Optional(
      CountOf('of db_failures, given up on after --record-timeout (the row may still land later)'),
    ),
    zero_subscriber_publishes: CountOf(
      'publishes nobody received (those queued while Redis was away and sent on its return too)',
    ),
    publish_failures: Type.Optional(CountOf('PUBLISHes that failed (Redis away too long): not sent')),
    held_ms: Type.Optional(CountOf('time held for a subscriber (--hold-while-unsubscribed)')),
    elapsed_ms: Count,
    rate_achieved: Type.Number({ minimum: 0, description: 'events per second over the run' }),
    // Publish time minus intended time, per event: how far the generator fell behind its schedule.
    lateness_ms: LatencyReport,
    warmup: Type.Optional(
      Type.Object(
        {
          seconds: Type.Number({ minimum: 0 }),
          sent: Count,
          lateness_ms: LatencyReport,
        },
        {
          description: 'sent before the measured run (--warmup), with other seeds; not in the figures above',
          additionalProperties: false,
        },
      ),
    ),
  },
  { $id: 'SimReport', title: 'tickstock sim report', additionalProperties: false },
);

export type SimReport = Static<typeof SimReport>;
