import type { ServiceOrigin } from '../../src/services/running-service.ts';

/** What global setup hands every test file (plain data: it crosses into the workers). */
export interface ProvidedServices {
  readonly runDir: string;
  readonly postgresOrigin: ServiceOrigin;
  readonly redisOrigin: ServiceOrigin;
  /** A superuser URL on the run's PostgreSQL server, for cloning and dropping databases. */
  readonly postgresAdminUrl: string;
  /** Migrated once per run; each test file gets a copy. */
  readonly templateDatabase: string;
  /** Per-file database names start with this, so teardown finds them on a shared server. */
  readonly databasePrefix: string;
  readonly redisUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: ProvidedServices;
    seed: number;
  }
}
