/**
 * The dashboard's Content-Security-Policy: scripts, styles, its icon and connections (fetch, Socket.IO)
 * from this origin only, nothing inline (markup a producer injected runs nothing), never framed.
 */
export const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
