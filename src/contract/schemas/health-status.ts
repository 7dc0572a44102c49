import { Type, type Static } from '@sinclair/typebox';
import { PRODUCER, UnixSeconds } from './common.ts';

const Status = Type.Unsafe<'healthy' | 'degraded' | 'unhealthy'>({
  type: 'string',
  enum: ['healthy', 'degraded', 'unhealthy'],
});

export const HealthStatus = Type.Object(
  {
    event_type: Type.Literal('health_status'),
    source: Type.Literal(PRODUCER),
    timestamp: UnixSeconds('Publication time'),
    data: Type.Object({
      status: Status,
      components: Type.Optional(
        Type.Record(
          Type.String(),
          Type.Object({
            status: Status,
            message: Type.Optional(Type.String()),
            latency_ms: Type.Optional(Type.Number({ minimum: 0 })),
          }),
        ),
      ),
      uptime_seconds: Type.Optional(Type.Number({ minimum: 0 })),
      message: Type.Optional(Type.String()),
    }),
  },
  { $id: 'HealthStatus', title: 'Health status', description: 'Published on tickstock.health.status' },
);

export type HealthStatus = Static<typeof HealthStatus>;
