// PostgreSQL SQLSTATEs that mean "reachable, but you may not in": credentials, role or database.
// Apart from the probe so that reporting an error never loads the drivers.
const REFUSED_SQLSTATES = new Set(['28P01', '28000', '3D000']);

/** Whether a PostgreSQL error says the server answered and refused us, rather than could not be reached. */
export const isPostgresRefusal = (error: unknown): boolean =>
  REFUSED_SQLSTATES.has((error as { code?: string }).code ?? '');
