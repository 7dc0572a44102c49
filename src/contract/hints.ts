import type { RawViolation } from './ajv-violations.ts';
import { MAX_UNIX_SECONDS } from './schemas/common.ts';

const DATA_FIELDS = ['symbol', 'pattern', 'pattern_name', 'confidence', 'flow_id'];
// What TickStockAppV2 needs where the spec says otherwise (schemas/tickstockappv2.ts).
const APPV2_BACKTEST_FIELDS = ['job_id', 'progress', 'status'];
const APPV2_FIX = 'as tickstock sim --profile tickstockappv2 does';

function valueAt(root: unknown, segments: readonly (string | number)[]): unknown {
  let node = root;
  for (const s of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[s];
  }
  return node;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The fix for a known pitfall (specs 001 §9, 004), if this violation is one. */
export function hintFor(v: RawViolation, root: unknown): string | undefined {
  const path = v.segments.join('.');
  const last = v.segments[v.segments.length - 1];
  const found = valueAt(root, v.segments);
  if (
    path === 'data.pattern' &&
    v.code === 'MISSING_FIELD' &&
    isRecord(valueAt(root, ['data'])) &&
    'pattern_name' in (valueAt(root, ['data']) as object)
  )
    return "Rename data.pattern_name to data.pattern: the consumer reads 'pattern', never 'pattern_name' (spec 001).";
  if (path === 'data' && v.code === 'MISSING_FIELD' && isRecord(root) && DATA_FIELDS.some((f) => f in root))
    return 'Nest symbol, pattern, confidence and flow_id under "data": {...} (spec 001 §4).';
  if (last === 'flow_id' && v.code !== 'MISSING_FIELD')
    return 'flow_id must be a UUID string such as str(uuid.uuid4()), e.g. "3f2b8c1e-7d4a-4e8b-9c1f-2a6b5d7e8f90".';
  if (last === 'flow_id')
    return 'Add a UUID flow_id: without it the flow cannot be tracked end to end (spec 001).';
  if (last === 'timestamp' && typeof found === 'number' && found >= MAX_UNIX_SECONDS)
    return `${found} looks like milliseconds: send seconds (time.time(), or divide by 1000).`;
  if (path === 'data.confidence' && typeof found === 'number' && found > 1 && found <= 100)
    return `${found} looks like a percentage: send a fraction from 0.0 to 1.0 (${found / 100}).`;
  const data = valueAt(root, ['data']);
  if (v.code === 'MISSING_FIELD' && v.segments.length === 1 && isRecord(root)) {
    if (path === 'message' && 'error_message' in root)
      return `TickStockAppV2 reads message, not spec 004's error_message: add message with the same text, ${APPV2_FIX}.`;
    if (path === 'source' && 'error_message' in root)
      return `TickStockAppV2 needs source beside spec 004's fields: add source, the producer's name ('TickStockPL'), ${APPV2_FIX}.`;
    if (APPV2_BACKTEST_FIELDS.includes(path) && isRecord(data) && path in data)
      return `TickStockAppV2 reads ${path} at the top level of the message, not under data: copy it up, ${APPV2_FIX}.`;
  }
  if (path === 'source' && v.code === 'WRONG_VALUE')
    return "source must be exactly 'TickStockPL' (case matters).";
  return undefined;
}
