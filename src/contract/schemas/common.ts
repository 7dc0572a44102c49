import { Type } from '@sinclair/typebox';

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** Above this a "seconds" value is almost surely milliseconds (1e11 s is the year 5138). */
export const MAX_UNIX_SECONDS = 1e11;

export const Uuid = (description: string) =>
  Type.String({ pattern: UUID_PATTERN, description: `${description} (a UUID string)` });

export const UnixSeconds = (description: string) =>
  Type.Number({
    exclusiveMinimum: 0,
    maximum: MAX_UNIX_SECONDS,
    description: `${description}: Unix time in seconds, a float (Python's time.time())`,
  });

// ISO 8601 date-time as spec 004's examples write it ("2024-01-01T12:00:00"), zone optional.
const ISO_DATE_TIME =
  '^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})?$';

export const IsoDateTime = (description: string) =>
  Type.String({ pattern: ISO_DATE_TIME, description: `${description}: ISO 8601 date-time` });

/** Spec 004 writes ISO strings; Python producers also send time.time(): both are accepted. */
export const IsoOrUnixTime = (description: string) =>
  Type.Union([IsoDateTime(description), UnixSeconds(description)], {
    description: `${description}: ISO 8601 string or Unix seconds`,
  });

export const PRODUCER = 'TickStockPL';
