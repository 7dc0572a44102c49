import { Type, type Static } from '@sinclair/typebox';

/** A latency distribution in a report, in milliseconds (percentiles of an HDR histogram). */
export const LatencyReport = Type.Object(
  {
    count: Type.Integer({ minimum: 0 }),
    p50: Type.Number({ minimum: 0, description: 'milliseconds' }),
    p90: Type.Number({ minimum: 0, description: 'milliseconds' }),
    p99: Type.Number({ minimum: 0, description: 'milliseconds' }),
    p999: Type.Number({ minimum: 0, description: 'milliseconds' }),
    max: Type.Number({ minimum: 0, description: 'milliseconds' }),
  },
  { additionalProperties: false },
);

export type LatencyReport = Static<typeof LatencyReport>;
