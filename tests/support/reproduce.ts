/** A shell command that publishes exactly `payload` on `channel`, to reproduce a failing case by hand. */
export function redisCliPublish(channel: string, payload: string | Uint8Array): string {
  // eslint-disable-next-line no-control-regex -- control characters are what make a payload unquotable
  if (typeof payload === 'string' && !/[\u0000-\u001f\u007f]/.test(payload))
    return `redis-cli PUBLISH ${channel} '${payload.replace(/'/g, `'\\''`)}'`;
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const escaped = [...bytes].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
  return `printf '${escaped}' | redis-cli -x PUBLISH ${channel}`;
}
